package dev.virtsaga.orchestrator.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.orchestrator.saga.DriftEngine;
import dev.virtsaga.orchestrator.service.VmService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes the watcher's {@code vm.observations.v1}: VM sightings (keyed by vmId) drive drift
 * handling; provider health and circuit changes (keyed by provider) mark the provider's VMs
 * reachable or not; relists change nothing here. A record that is not a valid observation goes to
 * the dead-letter topic.
 */
@ApplicationScoped
public class ObservationConsumer {
  private static final Logger LOG = Logger.getLogger(ObservationConsumer.class);

  private final VmService service;
  private final Inbound inbound;

  public ObservationConsumer(VmService service, Inbound inbound) {
    this.service = service;
    this.inbound = inbound;
  }

  @Incoming(Channels.OBSERVATIONS)
  public Uni<Void> consume(ConsumerRecord<String, String> record) {
    CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
    Observation o = event.payload(Observation.class);
    if (o.provider() == null) {
      throw new MalformedEventException("observation " + event.id() + " lacks its provider");
    }
    if (o instanceof VmObserved obs) {
      if (obs.vmId() == null || obs.kind() == null || (obs.power() == null && !deleted(obs))) {
        throw new MalformedEventException(
            "VM observation " + event.id() + " lacks vmId, kind or power");
      }
      if (record.key() != null && !record.key().equals(obs.vmId())) {
        throw new MalformedEventException(
            "VM observation " + event.id() + " is keyed by " + record.key() + ", not its vmId");
      }
      return inbound.handle("observation " + event.id(), () -> service.onObserved(event.id(), obs));
    }
    if (o instanceof WatcherRelisted r) {
      LOG.debugf(
          "provider=%s relisted (%s): %d VMs, %d vanished, %d ms",
          r.provider(), r.reason(), r.count(), r.vanished(), r.durationMs());
      return Uni.createFrom().voidItem();
    }
    return DriftEngine.reachability(o)
        .map(
            r ->
                inbound.handle(
                    "observation " + event.id(), () -> service.onReachability(event.id(), r)))
        .orElseGet(
            () -> {
              LOG.debugf("provider=%s: %s changes no VM", o.provider(), o);
              return Uni.createFrom().voidItem();
            });
  }

  private static boolean deleted(VmObserved obs) {
    return obs.kind() == VmObserved.Kind.DELETED;
  }
}
