package dev.virtsaga.worker.core.messaging;

import static dev.virtsaga.events.task.TaskStatus.ACCEPTED;
import static dev.virtsaga.events.task.TaskStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.testing.InMemoryProvider;
import dev.virtsaga.providers.spi.testing.InMemoryProvider.Call;
import dev.virtsaga.worker.core.service.CompletedTasks;
import dev.virtsaga.worker.core.service.RecordingSink;
import dev.virtsaga.worker.core.service.TaskProcessor;
import dev.virtsaga.worker.core.service.TaskSettings;
import dev.virtsaga.worker.core.service.Tasks;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

class TaskConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final InMemoryProvider provider = new InMemoryProvider(Tasks.PROVIDER);
  private final RecordingSink sink = new RecordingSink();
  private final TaskConsumer consumer =
      new TaskConsumer(
          new TaskProcessor(
              provider,
              sink,
              new CompletedTasks(100, Duration.ofMinutes(5), Clock.systemUTC()),
              new TaskSettings(Tasks.PROVIDER, Duration.ofMillis(20), Duration.ofMinutes(1)),
              Clock.systemUTC(),
              ForkJoinPool.commonPool()),
          Tasks.PROVIDER,
          16);
  private final AtomicInteger offsets = new AtomicInteger();

  /** A Kafka message whose ack / nack are observable. */
  private final class Delivery {
    final CompletableFuture<Void> acked = new CompletableFuture<>();
    final CompletableFuture<Throwable> nacked = new CompletableFuture<>();
    final Message<String> message;

    Delivery(String key, String value, org.apache.kafka.common.header.Headers headers) {
      var record =
          new ConsumerRecord<>("vm.tasks.memory.v1", 0, offsets.getAndIncrement(), key, value);
      if (headers != null) {
        headers.forEach(h -> record.headers().add(h));
      }
      message =
          Message.of(
              value,
              Metadata.of(new IncomingKafkaRecordMetadata<>(record, "tasks")),
              () -> {
                acked.complete(null);
                return CompletableFuture.completedFuture(null);
              },
              failure -> {
                nacked.complete(failure);
                return CompletableFuture.completedFuture(null);
              });
    }
  }

  private Delivery deliver(TaskRequested task) {
    CloudEvent e = CloudEvent.of("urn:test", task.vmId(), task, Map.of());
    Delivery d = new Delivery(task.vmId(), e.data(), KafkaCloudEvents.toHeaders(e));
    consumer.consume(d.message).await().atMost(WAIT);
    return d;
  }

  private static TaskRequested task(String vmId, TaskAction action) {
    return Tasks.task(vmId, action, Duration.ofMinutes(1));
  }

  @Test
  void aMalformedRecordIsNackedForTheDeadLetterQueueAndNeverAcked() {
    // Given
    Delivery garbage = new Delivery("vm-x", "garbage", null);

    // When
    consumer.consume(garbage.message).await().atMost(WAIT);

    // Then
    assertThat(garbage.nacked)
        .isCompletedWithValueMatching(e -> e instanceof MalformedEventException);
    assertThat(garbage.acked).isNotCompleted();
    assertThat(sink.sent()).isEmpty();
  }

  @Test
  void theRecordIsAckedOnlyAfterTheFinalEventIsSent() {
    // Given
    String vmId = Tasks.newVmId();
    sink.holdWhile(e -> e.status() == SUCCEEDED);

    // When
    Delivery d = deliver(task(vmId, TaskAction.CREATE));

    // Then
    await().atMost(WAIT).until(() -> sink.statuses(vmId).contains(ACCEPTED));
    assertThat(d.acked).isNotCompleted();
    sink.release();
    await().atMost(WAIT).until(d.acked::isDone);
    assertThat(sink.statuses(vmId)).containsExactly(ACCEPTED, SUCCEEDED);
    assertThat(d.nacked).isNotCompleted();
  }

  @Test
  void aLongShutdownOfOneVmDoesNotHoldUpAnother() {
    // Given: VM A is running and its guest ignores the shutdown request
    String a = Tasks.newVmId();
    provider.create(new CreateRequest(a, "op", "a", 1, 64, 0, null, null)).await().atMost(WAIT);
    provider.power(a, null, PowerOp.ON).await().atMost(WAIT);
    provider.gracefulShutdownDescribes(-1);
    Delivery shutdown = deliver(task(a, TaskAction.SHUTDOWN_GRACEFUL));

    // When
    String b = Tasks.newVmId();
    Delivery create = deliver(task(b, TaskAction.CREATE));

    // Then
    await().atMost(WAIT).until(create.acked::isDone);
    assertThat(sink.statuses(b)).containsExactly(ACCEPTED, SUCCEEDED);
    assertThat(shutdown.acked).isNotCompleted();
    assertThat(sink.statuses(a)).containsExactly(ACCEPTED);
    assertThat(consumer.activeVms()).isEqualTo(1);
  }

  @Test
  void theTasksOfOneVmRunInTheirOrder() {
    // Given: a slow create
    String vmId = Tasks.newVmId();
    provider.delay(Call.CREATE, Duration.ofMillis(300));

    // When
    Delivery create = deliver(task(vmId, TaskAction.CREATE));
    Delivery delete = deliver(task(vmId, TaskAction.DELETE));

    // Then
    await().atMost(WAIT).until(() -> create.acked.isDone() && delete.acked.isDone());
    assertThat(sink.of(vmId))
        .extracting(TaskEvent::action, TaskEvent::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TaskAction.CREATE, ACCEPTED),
            org.assertj.core.groups.Tuple.tuple(TaskAction.CREATE, SUCCEEDED),
            org.assertj.core.groups.Tuple.tuple(TaskAction.DELETE, ACCEPTED),
            org.assertj.core.groups.Tuple.tuple(TaskAction.DELETE, SUCCEEDED));
    assertThat(provider.vmIds()).doesNotContain(vmId);
  }

  @Test
  void aTaskWhoseEventsCannotBeSentIsRetriedUntilTheBrokerTakesThemAndNeverDeadLettered() {
    // Given the broker refuses the task's events
    String vmId = Tasks.newVmId();
    sink.failWith(new IllegalStateException("broker down"));

    // When the task arrives, Then it is neither acked nor nacked while the broker is down
    Delivery d = deliver(task(vmId, TaskAction.CREATE));
    await().pollDelay(Duration.ofMillis(600)).atMost(WAIT).until(() -> true);
    assertThat(d.acked).isNotCompleted();
    assertThat(d.nacked).isNotCompleted();

    // When the broker is back, Then the task is reported and acked
    sink.failWith(null);
    await().atMost(WAIT).until(d.acked::isDone);
    assertThat(d.nacked).isNotCompleted();
    assertThat(sink.statuses(vmId)).contains(SUCCEEDED);
    assertThat(consumer.activeVms()).isZero();
  }
}
