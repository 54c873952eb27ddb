package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.CommandReceipt;
import dev.virtsaga.gateway.IdempotencyKeyInProgressException;
import dev.virtsaga.gateway.IdempotencyKeyReusedException;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.repository.IdempotencyKeyRepository;
import dev.virtsaga.gateway.repository.IdempotencyRecord;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Idempotency-Key handling (per tenant): the first request with a key claims it and runs; a repeat
 * of the same request (same fingerprint) gets the first one's answer and runs nothing; a different
 * request with the same key is refused with 422. Keys live in the gateway's PostgreSQL database and
 * expire after {@code virtsaga.gateway.idempotency.ttl}.
 */
@ApplicationScoped
public class IdempotencyService {
  private static final Logger LOG = Logger.getLogger(IdempotencyService.class);

  private final IdempotencyKeyRepository keys;
  private final GatewayConfig config;
  private final Clock clock = Clock.systemUTC();

  public IdempotencyService(IdempotencyKeyRepository keys, GatewayConfig config) {
    this.keys = keys;
    this.config = config;
  }

  /**
   * Runs {@code command} at most once per key.
   *
   * @param key the Idempotency-Key header; {@code null} runs the command unguarded
   * @param fingerprint identifies the request (method, path, canonical body)
   * @param receipt the answer the command gives when it succeeds (its ids are fixed up front, so
   *     they can be stored with the key before anything is published). A claim left unfinished for
   *     longer than {@code virtsaga.gateway.idempotency.takeover-after} by a request with the same
   *     fingerprint and the same ids (only a project's creates reuse ids) is taken over.
   * @param command publishes the command; when it fails the key is released for a retry
   */
  public Uni<CommandReceipt> once(
      String tenantId,
      String key,
      String fingerprint,
      CommandReceipt receipt,
      Supplier<Uni<? extends CommandReceipt>> command) {
    if (key == null) {
      return Uni.createFrom().deferred(command);
    }
    Instant now = clock.instant();
    IdempotencyRecord claim =
        new IdempotencyRecord(
            tenantId,
            key,
            fingerprint,
            false,
            receipt.operationId(),
            receipt.vmId(),
            now,
            now.plus(config.idempotency().ttl()),
            receipt.cloneVmId());
    return keys.claim(claim, now, now.minus(config.idempotency().takeoverAfter()))
        .chain(
            claimed ->
                claimed
                    ? runClaimed(claim, command)
                    : keys.find(tenantId, key, now).map(existing -> replay(claim, existing)));
  }

  private Uni<CommandReceipt> runClaimed(
      IdempotencyRecord claim, Supplier<Uni<? extends CommandReceipt>> command) {
    return Uni.createFrom()
        .deferred(command)
        .onFailure()
        .call(
            () ->
                keys.release(claim.tenantId(), claim.key(), claim.operationId())
                    .onFailure()
                    .recoverWithNull())
        .call(
            () ->
                // The command is out: answer 202 even if the key cannot be marked; a repeat then
                // gets 409 (in progress) rather than a second command.
                keys.complete(claim.tenantId(), claim.key(), claim.operationId())
                    .onFailure()
                    .retry()
                    .atMost(3)
                    .onFailure()
                    .invoke(
                        e ->
                            LOG.warnf(
                                "could not mark Idempotency-Key completed operationId=%s: %s",
                                claim.operationId(), e.getMessage()))
                    .onFailure()
                    .recoverWithNull());
  }

  private static CommandReceipt replay(IdempotencyRecord claim, IdempotencyRecord existing) {
    if (existing == null) {
      // The key expired and was purged between our claim and our read: rare; let the client retry.
      throw new IdempotencyKeyInProgressException(claim.key());
    }
    if (!existing.requestHash().equals(claim.requestHash())) {
      throw new IdempotencyKeyReusedException(claim.key());
    }
    if (!existing.completed()) {
      throw new IdempotencyKeyInProgressException(claim.key());
    }
    return new CommandReceipt(
        existing.operationId(), existing.vmId(), OperationStatus.ACCEPTED, existing.targetVmId());
  }
}
