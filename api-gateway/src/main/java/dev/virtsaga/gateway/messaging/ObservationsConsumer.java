package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.gateway.service.AdoptionService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Keeps the adoption candidates table from the watcher's {@code vm.observed} events. One consumer
 * group for all instances; the offset is committed only after the database write, and the write is
 * idempotent. Other observation types (relists, circuits, provider health) are not its concern;
 * unreadable records are skipped with a warning.
 */
@ApplicationScoped
public class ObservationsConsumer {
  private static final Logger LOG = Logger.getLogger(ObservationsConsumer.class);

  private final AdoptionService adoptions;

  public ObservationsConsumer(AdoptionService adoptions) {
    this.adoptions = adoptions;
  }

  @Incoming(Channels.OBSERVATIONS)
  public Uni<Void> onRecord(ConsumerRecord<String, String> record) {
    if (record.value() == null) {
      return Uni.createFrom().voidItem();
    }
    VmObserved observed;
    try {
      CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
      if (!EventCatalog.VM_OBSERVED.equals(event.type())) {
        return Uni.createFrom().voidItem();
      }
      observed = event.payload(VmObserved.class);
      if (observed.vmId() == null
          || observed.provider() == null
          || observed.kind() == null
          || observed.power() == null) {
        throw new MalformedEventException("vm.observed lacks vmId, provider, kind or power");
      }
    } catch (MalformedEventException e) {
      LOG.warnf(
          "skipping malformed observation key=%s offset=%s-%d@%d: %s",
          record.key(), record.topic(), record.partition(), record.offset(), e.getMessage());
      return Uni.createFrom().voidItem();
    }
    return adoptions
        .onObserved(observed)
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(100), Duration.ofSeconds(5))
        .atMost(10);
  }
}
