package dev.virtsaga.gateway.service;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.CommandReceipt;
import dev.virtsaga.gateway.ConflictException;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.mapping.CommandMapper;
import dev.virtsaga.gateway.messaging.CommandPublisher;
import dev.virtsaga.gateway.repository.OperationRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Accepts commands: checks the VM exists and is free, records the operation, publishes the command
 * and waits for Kafka's acknowledgement. The gateway never changes VM state itself; the
 * orchestrator does, and the read model follows {@code vm.state.v1}.
 */
@ApplicationScoped
public class CommandService {
  private static final Logger LOG = Logger.getLogger(CommandService.class);

  private final IdempotencyService idempotency;
  private final InFlightTracker inFlight;
  private final OperationRepository operations;
  private final CommandPublisher publisher;
  private final VmQueryService queries;
  private final ProviderRegistry providers;
  private final Clock clock = Clock.systemUTC();

  public CommandService(
      IdempotencyService idempotency,
      InFlightTracker inFlight,
      OperationRepository operations,
      CommandPublisher publisher,
      VmQueryService queries,
      ProviderRegistry providers) {
    this.idempotency = idempotency;
    this.inFlight = inFlight;
    this.operations = operations;
    this.publisher = publisher;
    this.queries = queries;
    this.providers = providers;
  }

  /**
   * Submits a validated command for a tenant.
   *
   * @param idempotencyKey the client's Idempotency-Key, or {@code null}
   * @param requestId correlates the command with the HTTP request in logs and events
   * @return the receipt once Kafka acknowledged the command (or the first receipt, for a repeated
   *     Idempotency-Key); fails with a {@link dev.virtsaga.gateway.GatewayException} otherwise
   */
  public Uni<CommandReceipt> submit(
      String tenantId, String idempotencyKey, String requestId, CommandRequest request) {
    String operationId = UUID.randomUUID().toString();
    String vmId =
        request.type() == CommandType.CREATE ? UUID.randomUUID().toString() : request.vmId();
    // a clone's new VM gets its id now, so a repeat with the same Idempotency-Key gets it too
    String cloneVmId = request.type() == CommandType.CLONE ? UUID.randomUUID().toString() : null;
    CommandReceipt receipt =
        new CommandReceipt(operationId, vmId, OperationStatus.ACCEPTED, cloneVmId);
    return submit(tenantId, idempotencyKey, requestId, request, receipt);
  }

  /**
   * Submits a create whose ids the caller chose and stored beforehand (a project's VM). Submitting
   * it again, after a crash, publishes the same create: the orchestrator takes the same vmId and
   * operationId as one create, and an Idempotency-Key left unfinished by the crash is taken over
   * (see {@link IdempotencyService#once}).
   *
   * @param ids the vmId and operationId the create gets
   */
  public Uni<CommandReceipt> submitCreate(
      String tenantId,
      String idempotencyKey,
      String requestId,
      CommandRequest request,
      CommandReceipt ids) {
    if (request.type() != CommandType.CREATE) {
      throw new IllegalArgumentException("only a create takes ids chosen beforehand");
    }
    return submit(tenantId, idempotencyKey, requestId, request, ids);
  }

  /**
   * Refuses up front what submitting this create would refuse: a capability its provider declares
   * it lacks, a host its provider does not declare. Publishes nothing.
   *
   * @throws dev.virtsaga.gateway.GatewayException the create would be refused
   */
  public void checkCreate(CommandRequest request) {
    providers.requireSupport(request.spec().provider(), CommandType.CREATE, request.spec());
    CommandPreconditions.check(request, null, providers);
  }

  private Uni<CommandReceipt> submit(
      String tenantId,
      String idempotencyKey,
      String requestId,
      CommandRequest request,
      CommandReceipt receipt) {
    return idempotency.once(
        tenantId,
        idempotencyKey,
        request.fingerprint(),
        receipt,
        () -> execute(tenantId, requestId, request, receipt));
  }

  /**
   * Checks, records and publishes a command whose ids are fixed, without Idempotency-Key handling
   * (the caller does that: an adoption, see {@link AdoptionService}).
   */
  Uni<CommandReceipt> execute(
      String tenantId, String requestId, CommandRequest request, CommandReceipt receipt) {
    OperationView current = null;
    VmSnapshot vm = null;
    String provider = request.spec() == null ? null : request.spec().provider();
    if (request.type() == CommandType.CREATE) {
      checkCreate(request);
    } else if (request.type() == CommandType.ADOPT) {
      // the VM exists on its hypervisor, not in VirtSaga; adopting it asks nothing of the provider
      if (queries.isKnown(receipt.vmId())) {
        throw ConflictException.vmExists(receipt.vmId());
      }
    } else {
      vm = queries.get(tenantId, receipt.vmId());
      current = vm.operation();
      provider = vm.spec() == null ? null : vm.spec().provider();
      providers.requireSupport(provider, request.type(), request.spec());
      CommandPreconditions.check(request, vm, providers);
    }
    String providerName = provider;
    InFlightTracker.Reservation reservation =
        inFlight.reserve(receipt.vmId(), receipt.operationId(), request.type(), current);
    Instant now = clock.instant();
    Operation operation =
        new Operation(
            receipt.operationId(),
            tenantId,
            receipt.vmId(),
            request.type(),
            OperationStatus.ACCEPTED,
            null,
            null,
            null,
            now,
            now);
    VmCommand command = CommandMapper.toWire(request, receipt, tenantId, requestId, now);
    return operations
        .insertIfAbsent(operation)
        .chain(
            inserted ->
                publisher
                    .publish(command)
                    .onFailure()
                    .call(
                        () ->
                            // an operation this call did not insert is a real one: keep it
                            inserted
                                ? operations
                                    .delete(receipt.operationId())
                                    .onFailure()
                                    .recoverWithNull()
                                : Uni.createFrom().voidItem()))
        .invoke(
            () -> {
              if (request.type() == CommandType.CREATE) {
                queries.created(receipt.vmId(), tenantId, request.spec(), now);
              }
              LOG.infof(
                  "accepted %s vmId=%s operationId=%s provider=%s",
                  request.type(), receipt.vmId(), receipt.operationId(), providerName);
            })
        .onFailure()
        .invoke(reservation::release)
        .replaceWith(receipt);
  }
}
