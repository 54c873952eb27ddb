package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.repository.VmReadModel;
import dev.virtsaga.gateway.service.InFlightTracker;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Builds the read model from the compacted {@code vm.state.v1}: a snapshot replaces the VM's entry
 * (unless older), a tombstone removes it.
 */
@ApplicationScoped
public class VmStateConsumer {
  private static final Logger LOG = Logger.getLogger(VmStateConsumer.class);

  private final VmReadModel readModel;
  private final InFlightTracker inFlight;
  private final StateCatchUp catchUp;

  public VmStateConsumer(VmReadModel readModel, InFlightTracker inFlight, StateCatchUp catchUp) {
    this.readModel = readModel;
    this.inFlight = inFlight;
    this.catchUp = catchUp;
  }

  @Incoming(Channels.STATE)
  public void onRecord(ConsumerRecord<String, String> record) {
    apply(record);
    catchUp.applied(record.topic(), record.partition(), record.offset());
  }

  private void apply(ConsumerRecord<String, String> record) {
    if (record.value() == null) {
      if (record.key() != null) {
        readModel.remove(record.key());
        inFlight.onVmGone(record.key());
        LOG.debugf("tombstone vmId=%s", record.key());
      }
      return;
    }
    VmSnapshot snapshot;
    try {
      CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
      snapshot = event.payload(VmSnapshot.class);
      if (snapshot.vmId() == null
          || snapshot.tenantId() == null
          || snapshot.state() == null
          || snapshot.createdAt() == null) {
        throw new MalformedEventException("snapshot lacks vmId, tenantId, state or createdAt");
      }
    } catch (MalformedEventException e) {
      LOG.warnf(
          "skipping malformed snapshot vmId=%s offset=%s-%d@%d: %s",
          record.key(), record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    if (readModel.apply(snapshot)) {
      inFlight.onSnapshot(snapshot);
    }
  }
}
