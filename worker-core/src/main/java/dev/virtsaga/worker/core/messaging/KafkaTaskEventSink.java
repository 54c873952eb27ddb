package dev.virtsaga.worker.core.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.worker.core.config.WorkerConfig;
import dev.virtsaga.worker.core.service.TaskEventSink;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

/**
 * Sends task events to {@link TaskChannels#TASK_EVENTS} as binary-mode CloudEvents keyed by vmId,
 * retrying a failed send with backoff. The emitter's buffer is unbounded because the consumer
 * already bounds the tasks in flight (each has at most two events pending).
 */
@ApplicationScoped
public class KafkaTaskEventSink implements TaskEventSink {
  private final MutinyEmitter<String> emitter;
  private final String source;
  private final int retries;

  public KafkaTaskEventSink(
      @Channel(TaskChannels.TASK_EVENTS) @OnOverflow(OnOverflow.Strategy.UNBOUNDED_BUFFER)
          MutinyEmitter<String> emitter,
      WorkerConfig config) {
    this.emitter = emitter;
    this.source = config.source().orElse("urn:virtsaga:worker:" + config.provider());
    this.retries = config.sendRetries();
  }

  @Override
  public Uni<Void> send(TaskEvent event) {
    return Uni.createFrom()
        .deferred(() -> emitter.sendMessage(toMessage(event)))
        .onFailure()
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
        .atMost(retries);
  }

  /** The Kafka message of a task event: key vmId, {@code ce_*} headers, JSON value. */
  Message<String> toMessage(TaskEvent event) {
    CloudEvent ce =
        CloudEvent.of(
            source,
            event.vmId(),
            event,
            Map.of(
                CloudEvent.EXT_OPERATION_ID, event.operationId(),
                CloudEvent.EXT_PROVIDER, event.provider()));
    return Message.of(ce.data())
        .addMetadata(
            OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.vmId())
                .withHeaders(KafkaCloudEvents.toHeaders(ce))
                .build());
  }
}
