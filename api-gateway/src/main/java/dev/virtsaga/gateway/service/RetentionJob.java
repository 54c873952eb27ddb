package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.repository.IdempotencyKeyRepository;
import dev.virtsaga.gateway.repository.OperationRepository;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Keeps the gateway's tables small: deletes Idempotency-Keys past their TTL and operations that
 * finished longer ago than the retention. Runs on every instance; the deletes are idempotent.
 */
@ApplicationScoped
public class RetentionJob {
  private static final Logger LOG = Logger.getLogger(RetentionJob.class);

  private final IdempotencyKeyRepository keys;
  private final OperationRepository operations;
  private final GatewayConfig config;
  private final Clock clock = Clock.systemUTC();

  public RetentionJob(
      IdempotencyKeyRepository keys, OperationRepository operations, GatewayConfig config) {
    this.keys = keys;
    this.operations = operations;
    this.config = config;
  }

  @Scheduled(
      identity = "gateway-retention",
      every = "${virtsaga.gateway.idempotency.cleanup-every}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> purge() {
    Instant now = clock.instant();
    return keys.deleteExpired(now)
        .chain(
            expiredKeys ->
                operations
                    .deleteFinishedBefore(now.minus(config.operations().retention()))
                    .invoke(
                        oldOperations ->
                            LOG.debugf(
                                "purged %d expired idempotency keys, %d finished operations",
                                expiredKeys, oldOperations)))
        .onFailure()
        .invoke(e -> LOG.warnf("retention purge failed, will retry: %s", e.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }
}
