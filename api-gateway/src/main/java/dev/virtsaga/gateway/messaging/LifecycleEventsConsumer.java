package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.gateway.mapping.LifecycleMapper;
import dev.virtsaga.gateway.repository.VmReadModel;
import dev.virtsaga.gateway.service.InFlightTracker;
import dev.virtsaga.gateway.service.LifecycleBroadcaster;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Every lifecycle event, seen by every gateway instance: frees VMs whose operation finished and
 * fans the event out to SSE subscribers of the VM's tenant.
 */
@ApplicationScoped
public class LifecycleEventsConsumer {
  private static final Logger LOG = Logger.getLogger(LifecycleEventsConsumer.class);

  private final InFlightTracker inFlight;
  private final LifecycleBroadcaster broadcaster;
  private final VmReadModel readModel;

  public LifecycleEventsConsumer(
      InFlightTracker inFlight, LifecycleBroadcaster broadcaster, VmReadModel readModel) {
    this.inFlight = inFlight;
    this.broadcaster = broadcaster;
    this.readModel = readModel;
  }

  @Incoming(Channels.LIFECYCLE_EVENTS)
  public void onRecord(ConsumerRecord<String, String> record) {
    CloudEvent event;
    LifecycleEvent payload;
    try {
      event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
      payload = LifecycleMapper.payload(event);
      if (payload.vmId() == null) {
        throw new MalformedEventException("lifecycle event lacks vmId");
      }
    } catch (MalformedEventException e) {
      LOG.warnf(
          "skipping malformed lifecycle event vmId=%s offset=%s-%d@%d: %s",
          record.key(), record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    inFlight.onLifecycle(payload);
    String tenantId = event.extension(CloudEvent.EXT_TENANT_ID);
    if (tenantId == null) {
      tenantId = readModel.tenantOf(payload.vmId()).orElse(null);
    }
    if (tenantId == null) {
      LOG.debugf("not broadcasting %s vmId=%s: tenant unknown", event.type(), payload.vmId());
      return;
    }
    broadcaster.publish(LifecycleMapper.toNotice(event, payload, tenantId));
  }
}
