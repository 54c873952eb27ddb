package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.gateway.OperationUpdate;
import dev.virtsaga.gateway.mapping.LifecycleMapper;
import dev.virtsaga.gateway.service.AdoptionService;
import dev.virtsaga.gateway.service.InFlightTracker;
import dev.virtsaga.gateway.service.OperationService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the operations table up to date from lifecycle events. One consumer group for all
 * instances; the offset is committed only after the database write (the {@code Uni} completes), and
 * the update itself is idempotent, so a redelivered event changes nothing. An ADOPT refused or
 * failed makes its adoption candidate pending again.
 */
@ApplicationScoped
public class OperationStatusConsumer {
  private static final Logger LOG = Logger.getLogger(OperationStatusConsumer.class);

  private final OperationService operations;
  private final InFlightTracker inFlight;
  private final AdoptionService adoptions;

  public OperationStatusConsumer(
      OperationService operations, InFlightTracker inFlight, AdoptionService adoptions) {
    this.operations = operations;
    this.inFlight = inFlight;
    this.adoptions = adoptions;
  }

  @Incoming(Channels.LIFECYCLE_OPERATIONS)
  public Uni<Void> onRecord(ConsumerRecord<String, String> record) {
    Optional<OperationUpdate> update;
    LifecycleEvent payload;
    try {
      CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
      payload = LifecycleMapper.payload(event);
      // frees the VM before the row says "finished": whoever reads the finished operation may
      // send the VM's next command at once (the broadcast consumer may not have seen it yet)
      inFlight.onLifecycle(payload);
      update = LifecycleMapper.toOperationUpdate(payload);
    } catch (MalformedEventException e) {
      LOG.warnf(
          "skipping malformed lifecycle event vmId=%s offset=%s-%d@%d: %s",
          record.key(), record.topic(), record.partition(), record.offset(), e.getMessage());
      return Uni.createFrom().voidItem();
    }
    if (update.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    OperationUpdate u = update.get();
    Uni<Void> known =
        payload instanceof OperationStarted started
            ? operations.recordStarted(started)
            : Uni.createFrom().voidItem();
    return known
        .chain(() -> operations.apply(u))
        // a refused or failed ADOPT leaves its candidate to be adopted again (idempotent)
        .call(() -> adoptions.onOperationFinished(u))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
        .atMost(10)
        .invoke(
            changed -> {
              if (changed) {
                LOG.debugf(
                    "operation status vmId=%s operationId=%s status=%s",
                    record.key(), u.operationId(), u.status());
              }
            })
        .replaceWithVoid();
  }
}
