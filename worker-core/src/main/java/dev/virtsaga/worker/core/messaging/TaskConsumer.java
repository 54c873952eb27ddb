package dev.virtsaga.worker.core.messaging;

import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.worker.core.config.WorkerConfig;
import dev.virtsaga.worker.core.service.InFlightLimiter;
import dev.virtsaga.worker.core.service.PerKeySequencer;
import dev.virtsaga.worker.core.service.TaskProcessor;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes the provider's task topic.
 *
 * <ul>
 *   <li>A record that is not a valid task for this provider is nacked: the channel's {@code
 *       failure-strategy=dead-letter-queue} moves it to {@code <topic>.dlq} and consumption goes
 *       on.
 *   <li>A valid task is queued behind the earlier tasks of the same VM (tasks of one VM run in
 *       order; different VMs run concurrently; only MIGRATE_CANCEL runs at once, beside the
 *       migration it cancels) and the method returns at once, so a long task never holds up the
 *       partition. At most {@code virtsaga.worker.max-in-flight} tasks are in flight.
 *   <li>The record is acked only after the task's final event has been sent, so a crash means
 *       redelivery (answered idempotently), never a lost task. A report that cannot be sent is
 *       retried with backoff until Kafka takes it; at shutdown the record stays unacknowledged and
 *       comes again after the restart — a readable task never goes to the dead-letter topic. With
 *       the throttled commit strategy offsets are committed only up to the oldest record still in
 *       flight.
 * </ul>
 */
@ApplicationScoped
public class TaskConsumer {
  private static final Logger LOG = Logger.getLogger(TaskConsumer.class);

  private final TaskProcessor processor;
  private final String provider;
  private final PerKeySequencer sequencer = new PerKeySequencer();
  private final InFlightLimiter limiter;
  private volatile boolean stopping;

  @Inject
  public TaskConsumer(TaskProcessor processor, WorkerConfig config) {
    this(processor, config.provider(), config.maxInFlight());
  }

  TaskConsumer(TaskProcessor processor, String provider, int maxInFlight) {
    this.processor = processor;
    this.provider = provider;
    this.limiter = new InFlightLimiter(maxInFlight);
  }

  @Incoming(TaskChannels.TASKS)
  public Uni<Void> consume(Message<String> message) {
    TaskRequested task;
    try {
      task = TaskRecords.read(headersOf(message), message.getPayload(), provider);
    } catch (MalformedEventException e) {
      LOG.warnf("dead-lettering task record %s: %s", where(message), e.getMessage());
      return Uni.createFrom().completionStage(() -> message.nack(e));
    }
    if (task.action() == TaskAction.MIGRATE_CANCEL) {
      // runs beside the VM's MIGRATE task (which waits for the migration to end), not behind it
      return Uni.createFrom()
          .completionStage(limiter::acquire)
          .invoke(() -> run(task, message).subscribe().with(ignored -> {}, failure -> {}));
    }
    return Uni.createFrom()
        .completionStage(limiter::acquire)
        .invoke(() -> sequencer.enqueue(task.vmId(), () -> run(task, message)));
  }

  private Uni<Void> run(TaskRequested task, Message<String> message) {
    return processor
        .process(task)
        .onFailure(t -> !stopping)
        .invoke(
            t ->
                LOG.warnf(
                    "could not report task %s, retrying: %s vmId=%s operationId=%s provider=%s",
                    task.taskId(), t, task.vmId(), task.operationId(), provider))
        .onFailure(t -> !stopping)
        .retry()
        .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
        .indefinitely()
        .onItemOrFailure()
        .transformToUni(
            (ignored, failure) -> {
              limiter.release();
              if (failure == null) {
                return Uni.createFrom().completionStage(message::ack);
              }
              // Shutting down: leave the record unacknowledged, so its offset is not committed
              // and the task is delivered again after the restart (answered idempotently).
              LOG.infof(
                  "task %s left for redelivery after restart vmId=%s operationId=%s provider=%s",
                  task.taskId(), task.vmId(), task.operationId(), provider);
              return Uni.createFrom().voidItem();
            });
  }

  void onShutdown(@Observes @Priority(1) ShutdownEvent ev) {
    stopping = true;
  }

  /** Tasks queued or running, per VM. */
  public int activeVms() {
    return sequencer.activeKeys();
  }

  private static Headers headersOf(Message<String> message) {
    return metadataOf(message).map(IncomingKafkaRecordMetadata::getHeaders).orElse(null);
  }

  @SuppressWarnings("unchecked")
  private static Optional<IncomingKafkaRecordMetadata<String, String>> metadataOf(
      Message<String> message) {
    return message
        .getMetadata(IncomingKafkaRecordMetadata.class)
        .map(m -> (IncomingKafkaRecordMetadata<String, String>) m);
  }

  private static String where(Message<String> message) {
    return metadataOf(message)
        .map(
            m -> m.getTopic() + "-" + m.getPartition() + "@" + m.getOffset() + " key=" + m.getKey())
        .orElse("(no Kafka metadata)");
  }
}
