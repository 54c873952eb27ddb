package dev.virtsaga.gateway.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.gateway.AdoptionAuditEntry;
import dev.virtsaga.gateway.AdoptionCandidate;
import dev.virtsaga.gateway.AdoptionStatus;
import dev.virtsaga.gateway.CommandReceipt;
import dev.virtsaga.gateway.ConflictException;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.OperationUpdate;
import dev.virtsaga.gateway.ReadModelLoadingException;
import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.mapping.CommandMapper;
import dev.virtsaga.gateway.repository.AdoptionRepository;
import dev.virtsaga.gateway.rest.AdoptVmRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Adoption candidates: VMs carrying VirtSaga's tag that the watcher reports but VirtSaga does not
 * manage (a lost database, a restore, another installation). Kept from {@code vm.observations.v1};
 * an administrator adopts one (an ADOPT command through the same path as every command) or
 * dismisses it. Every decision is audited, in the transaction that records it.
 *
 * <p>Candidates are cluster-wide, not a tenant's: until authentication and roles land, any caller
 * may list, adopt and dismiss them; the audit names the caller's tenant and request id.
 */
@ApplicationScoped
public class AdoptionService {
  private static final Logger LOG = Logger.getLogger(AdoptionService.class);

  /** How long an observation waits for the read model to load before it is judged anyway. */
  static final Duration READ_MODEL_WAIT = Duration.ofSeconds(60);

  private final AdoptionRepository candidates;
  private final VmQueryService queries;
  private final CommandService commands;
  private final IdempotencyService idempotency;
  private final Clock clock = Clock.systemUTC();

  public AdoptionService(
      AdoptionRepository candidates,
      VmQueryService queries,
      CommandService commands,
      IdempotencyService idempotency) {
    this.candidates = candidates;
    this.queries = queries;
    this.commands = commands;
    this.idempotency = idempotency;
  }

  /**
   * Applies a VM observation: one of a VM the read model does not know makes (or refreshes) a
   * candidate; DELETED removes a PENDING candidate. Idempotent: a redelivered observation changes
   * nothing.
   */
  public Uni<Void> onObserved(VmObserved o) {
    if (o.kind() == VmObserved.Kind.DELETED) {
      return candidates
          .removePending(o.vmId())
          .invoke(
              removed -> {
                if (removed) {
                  LOG.infof(
                      "adoption candidate vmId=%s provider=%s gone from its hypervisor",
                      o.vmId(), o.provider());
                }
              })
          .replaceWithVoid();
    }
    return readModelLoaded()
        .chain(
            () -> {
              if (queries.inReadModel(o.vmId())) {
                return Uni.createFrom().voidItem();
              }
              Instant at = o.at() == null ? clock.instant() : o.at();
              return candidates
                  .observed(o, at)
                  .invoke(
                      () ->
                          LOG.debugf(
                              "adoption candidate vmId=%s provider=%s power=%s",
                              o.vmId(), o.provider(), o.power()));
            });
  }

  /**
   * Waits (without blocking) until the read model has caught up, so a managed VM is not taken for a
   * candidate at start-up; after {@link #READ_MODEL_WAIT} the observation is judged anyway (the
   * listing and adopting check the read model again).
   */
  private Uni<Void> readModelLoaded() {
    if (queries.caughtUp()) {
      return Uni.createFrom().voidItem();
    }
    return Uni.createFrom()
        .deferred(
            () ->
                queries.caughtUp()
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom().<Void>failure(new ReadModelLoadingException()))
        .onFailure(ReadModelLoadingException.class)
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .expireIn(READ_MODEL_WAIT.toMillis())
        .onFailure()
        .recoverWithUni(
            e -> {
              LOG.warn("read model still loading; judging an observation without it");
              return Uni.createFrom().voidItem();
            });
  }

  /**
   * An ADOPT command finished: refused or failed, its candidate is PENDING again (the VM is still
   * unknown to VirtSaga).
   */
  public Uni<Void> onOperationFinished(OperationUpdate update) {
    if (update.status() != OperationStatus.REJECTED && update.status() != OperationStatus.FAILED) {
      return Uni.createFrom().voidItem();
    }
    return candidates
        .reopen(update.operationId(), clock.instant())
        .invoke(
            vmId -> {
              if (vmId != null) {
                LOG.warnf(
                    "adoption of vmId=%s %s (%s: %s): the candidate is pending again",
                    vmId, update.status(), update.errorType(), update.errorMessage());
              }
            })
        .replaceWithVoid();
  }

  /**
   * The PENDING candidates VirtSaga still does not manage, oldest first.
   *
   * @throws ReadModelLoadingException while the read model is incomplete
   */
  public Uni<List<AdoptionCandidate>> pending(Optional<String> provider) {
    if (!queries.caughtUp()) {
      throw new ReadModelLoadingException();
    }
    return candidates
        .pending(provider)
        .map(all -> all.stream().filter(c -> !queries.inReadModel(c.vmId())).toList());
  }

  /** The candidate, whatever its status. */
  public Uni<AdoptionCandidate> get(String vmId) {
    return candidates.find(vmId).onItem().ifNull().failWith(() -> notFound(vmId));
  }

  /**
   * Adopts a PENDING candidate: publishes an ADOPT command (operation record, Idempotency-Key,
   * in-flight tracking, Kafka acknowledgement, as for every command) for the body's tenant, and
   * marks the candidate ADOPTED with an audit row. The same Idempotency-Key (of the caller's
   * tenant) with the same body replays the first answer.
   *
   * @param caller the caller's tenant: the Idempotency-Key's scope, the audit's actor, the default
   *     tenant of the VM
   * @param requestId the caller's X-Request-Id, or {@code null}
   * @param correlation the command's request id (the caller's, or a fresh one)
   * @throws NotFoundException no such candidate
   * @throws ConflictException the candidate is not PENDING, its power is not known, or VirtSaga
   *     manages the VM already
   */
  public Uni<CommandReceipt> adopt(
      Tenant caller,
      String idempotencyKey,
      String requestId,
      String correlation,
      String vmId,
      AdoptVmRequest body) {
    String tenantId = body.tenantId() == null ? caller.id() : body.tenantId();
    CommandReceipt receipt =
        new CommandReceipt(UUID.randomUUID().toString(), vmId, OperationStatus.ACCEPTED);
    return idempotency.once(
        caller.id(),
        idempotencyKey,
        CommandMapper.adoptFingerprint(vmId, body),
        receipt,
        () -> adoptOnce(caller, requestId, correlation, tenantId, body, receipt));
  }

  private Uni<CommandReceipt> adoptOnce(
      Tenant caller,
      String requestId,
      String correlation,
      String tenantId,
      AdoptVmRequest body,
      CommandReceipt receipt) {
    String vmId = receipt.vmId();
    if (queries.isKnown(vmId)) {
      throw ConflictException.vmExists(vmId);
    }
    Instant now = clock.instant();
    return candidates
        .claim(
            vmId,
            tenantId,
            receipt.operationId(),
            now,
            c ->
                new AdoptionRepository.NewAudit(
                    caller.id(),
                    requestId,
                    now,
                    adoptedDetails(c, tenantId, receipt.operationId(), body)))
        .chain(
            claimed ->
                claimed != null
                    ? Uni.createFrom().item(claimed)
                    : candidates.find(vmId).map(c -> refusal(vmId, c)))
        .chain(
            candidate -> {
              String name =
                  body.name() != null
                      ? body.name()
                      : CommandMapper.adoptedName(candidate.providerRef(), vmId);
              return commands
                  .execute(
                      tenantId, correlation, CommandMapper.adopt(candidate, body, name), receipt)
                  .onFailure()
                  .call(
                      () ->
                          candidates
                              .unclaim(vmId, receipt.operationId())
                              .onFailure()
                              .invoke(
                                  e ->
                                      LOG.errorf(
                                          "could not undo the adoption claim of vmId=%s"
                                              + " operationId=%s: %s",
                                          vmId, receipt.operationId(), e.getMessage()))
                              .onFailure()
                              .recoverWithNull())
                  .invoke(
                      () ->
                          LOG.infof(
                              "audit: ADOPTED vmId=%s provider=%s into tenant=%s as %s"
                                  + " operationId=%s by tenant=%s requestId=%s",
                              vmId,
                              candidate.provider(),
                              tenantId,
                              name,
                              receipt.operationId(),
                              caller.id(),
                              requestId));
            });
  }

  /**
   * Dismisses a PENDING candidate, with an audit row; later observations of it do not bring it
   * back. Dismissing a dismissed candidate changes nothing.
   *
   * @throws NotFoundException no such candidate
   * @throws ConflictException the candidate was adopted
   */
  public Uni<Void> dismiss(Tenant caller, String requestId, String vmId) {
    Instant now = clock.instant();
    return candidates
        .dismiss(
            vmId,
            now,
            c -> new AdoptionRepository.NewAudit(caller.id(), requestId, now, dismissedDetails(c)))
        .map(
            d -> {
              if (d.changed()) {
                LOG.infof(
                    "audit: DISMISSED vmId=%s provider=%s by tenant=%s requestId=%s",
                    vmId, d.candidate().provider(), caller.id(), requestId);
                return null;
              }
              if (d.candidate() == null) {
                throw notFound(vmId);
              }
              if (d.candidate().status() == AdoptionStatus.ADOPTED) {
                throw new ConflictException(
                    "candidate-adopted",
                    "Adoption candidate not pending",
                    "candidate "
                        + vmId
                        + " was adopted (operation "
                        + d.candidate().operationId()
                        + "): it cannot be dismissed");
              }
              return null; // dismissed already
            })
        .replaceWithVoid();
  }

  /** The audit trail, newest first, of one VM when given. */
  public Uni<List<AdoptionAuditEntry>> audit(Optional<String> vmId, int limit) {
    return candidates.audit(vmId, limit);
  }

  /** Why a candidate could not be claimed. */
  private static AdoptionCandidate refusal(String vmId, AdoptionCandidate c) {
    if (c == null) {
      throw notFound(vmId);
    }
    if (c.status() != AdoptionStatus.PENDING) {
      throw new ConflictException(
          "candidate-not-pending",
          "Adoption candidate not pending",
          "candidate "
              + vmId
              + " is "
              + c.status()
              + (c.operationId() == null ? "" : " (operation " + c.operationId() + ")")
              + "; only a PENDING candidate can be adopted");
    }
    if (c.power() != PowerState.UNKNOWN && c.power() != PowerState.NOT_FOUND) {
      throw new ConflictException(
          "candidate-changed",
          "Adoption candidate changed",
          "candidate " + vmId + " changed while it was being adopted; retry");
    }
    throw new ConflictException(
        "candidate-power-unknown",
        "Adoption candidate not ready",
        "candidate "
            + vmId
            + " was last seen with power "
            + c.power()
            + ": the state it would be adopted in is not known; retry once the watcher sees it"
            + " ON, OFF or PAUSED");
  }

  private static NotFoundException notFound(String vmId) {
    return new NotFoundException("no adoption candidate " + vmId);
  }

  private static String adoptedDetails(
      AdoptionCandidate c, String tenantId, String operationId, AdoptVmRequest body) {
    ObjectNode details = Json.mapper().createObjectNode();
    details.put("operationId", operationId);
    details.put("tenantId", tenantId);
    details.set("request", Json.mapper().valueToTree(body));
    details.set("candidate", candidateJson(c));
    return details.toString();
  }

  private static String dismissedDetails(AdoptionCandidate c) {
    ObjectNode details = Json.mapper().createObjectNode();
    details.set("candidate", candidateJson(c));
    return details.toString();
  }

  private static ObjectNode candidateJson(AdoptionCandidate c) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("provider", c.provider());
    node.put("power", c.power().name());
    if (c.providerRef() != null) {
      node.put("providerRef", c.providerRef());
    }
    if (c.host() != null) {
      node.put("host", c.host());
    }
    if (c.ips() != null) {
      node.set("ips", Json.mapper().valueToTree(c.ips()));
    }
    return node;
  }
}
