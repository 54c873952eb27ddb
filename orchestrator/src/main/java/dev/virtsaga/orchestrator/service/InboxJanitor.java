package dev.virtsaga.orchestrator.service;

import dev.virtsaga.orchestrator.config.OrchestratorConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * Forgets processed-event ids once no redelivery can bring them back: older than the inbox
 * retention, which must exceed the retention of the topics consumed (Kafka's default is 7 days).
 */
@ApplicationScoped
public class InboxJanitor {
  private static final Logger LOG = Logger.getLogger(InboxJanitor.class);

  private final Pool pool;
  private final OrchestratorConfig config;

  public InboxJanitor(Pool pool, OrchestratorConfig config) {
    this.pool = pool;
    this.config = config;
  }

  @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> purge() {
    OffsetDateTime before = Instant.now().minus(config.inboxRetention()).atOffset(ZoneOffset.UTC);
    return pool.preparedQuery("delete from processed_event where processed_at < $1")
        .execute(Tuple.of(before))
        .invoke(rows -> LOG.debugf("forgot %d processed events", rows.rowCount()))
        .replaceWithVoid();
  }
}
