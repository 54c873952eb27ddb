package dev.virtsaga.watcher.quarkus;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.watcher.ObservationSink;
import dev.virtsaga.worker.core.config.WorkerConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Publishes observations on {@code vm.observations.v1} (channel {@value #CHANNEL}) as CloudEvents
 * in Kafka binary mode: VM observations keyed by vmId (so they stay in order with the VM's other
 * records), the watcher's own events keyed by provider.
 */
@ApplicationScoped
public class KafkaObservationSink implements ObservationSink {
  /** The outgoing channel; the worker maps it to {@code vm.observations.v1}. */
  public static final String CHANNEL = "observations";

  private final MutinyEmitter<String> emitter;
  private final String source;

  public KafkaObservationSink(
      @Channel(CHANNEL) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 65536)
          MutinyEmitter<String> emitter,
      WorkerConfig config) {
    this.emitter = emitter;
    this.source = "urn:virtsaga:watcher:" + config.provider();
  }

  @Override
  public Uni<Void> publish(List<Observation> observations) {
    if (observations.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    List<Uni<Void>> sent = new ArrayList<>(observations.size());
    for (Observation o : observations) {
      sent.add(emitter.sendMessage(toMessage(o)));
    }
    return Uni.join().all(sent).andFailFast().replaceWithVoid();
  }

  private Message<String> toMessage(Observation o) {
    String key = o instanceof VmObserved v ? v.vmId() : o.provider();
    CloudEvent ce = CloudEvent.of(source, key, o, Map.of(CloudEvent.EXT_PROVIDER, o.provider()));
    return Message.of(ce.data())
        .addMetadata(
            OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(key)
                .withHeaders(KafkaCloudEvents.toHeaders(ce))
                .build());
  }
}
