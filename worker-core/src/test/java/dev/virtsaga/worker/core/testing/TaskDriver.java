package dev.virtsaga.worker.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.EventRecorder.Recorded;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives a running worker through Kafka, as the orchestrator would: publishes tasks on the
 * provider's task topic and reads the worker's task events back (shipped in worker-core's test-jar
 * for every worker's tests).
 */
public final class TaskDriver {
  private final EventPublisher publisher;
  private final EventRecorder recorder;
  private final String provider;
  private final Duration wait;

  /**
   * @param recorder records {@link Topics#TASK_EVENTS} (at least)
   * @param provider the worker's provider; tasks go to its task topic
   * @param wait how long a task may take to finish
   */
  public TaskDriver(
      EventPublisher publisher, EventRecorder recorder, String provider, Duration wait) {
    this.publisher = publisher;
    this.recorder = recorder;
    this.provider = provider;
    this.wait = wait;
  }

  /** Publishes a task as a CloudEvent keyed by its vmId. */
  public void publish(TaskRequested task) {
    publisher.send(
        Topics.tasks(provider),
        task.vmId(),
        CloudEvent.of(
            "urn:virtsaga:test",
            task.vmId(),
            task,
            Map.of(
                CloudEvent.EXT_OPERATION_ID, task.operationId(),
                CloudEvent.EXT_PROVIDER, task.provider())));
  }

  /** Publishes a task and returns its final event, which must be SUCCEEDED. */
  public TaskEvent run(TaskRequested task) {
    publish(task);
    TaskEvent done = awaitFinal(task);
    assertThat(done.status())
        .as("task %s: %s", task.action(), done.error())
        .isEqualTo(TaskStatus.SUCCEEDED);
    return done;
  }

  /** The task's SUCCEEDED or FAILED event, once the worker sent it. */
  public TaskEvent awaitFinal(TaskRequested task) {
    return await()
        .atMost(wait)
        .until(
            () ->
                eventsOf(task.vmId()).stream()
                    .filter(e -> e.taskId().equals(task.taskId()))
                    .filter(
                        e -> e.status() == TaskStatus.SUCCEEDED || e.status() == TaskStatus.FAILED)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  public List<TaskEvent> eventsOf(String vmId) {
    return recorder.payloads(vmId, TaskEvent.class);
  }

  public List<TaskStatus> statusesOf(String vmId) {
    return eventsOf(vmId).stream().map(TaskEvent::status).toList();
  }

  /** Every event about the VM: keyed by vmId, with its extensions, valid against its schema. */
  public void assertEveryEventIsValid(String vmId) {
    List<Recorded> records =
        recorder.all().stream()
            .filter(r -> r.topic().equals(Topics.TASK_EVENTS) && vmId.equals(r.key()))
            .toList();
    assertThat(records).isNotEmpty();
    for (Recorded r : records) {
      CloudEvent e = r.event();
      assertThat(e).as("CloudEvent of %s", r.rawValue()).isNotNull();
      assertThat(EventSchemas.validate(e.type(), e.data()))
          .as("violations of %s", e.data())
          .isEmpty();
      assertThat(e.subject()).isEqualTo(vmId);
      assertThat(e.extension(CloudEvent.EXT_PROVIDER)).isEqualTo(provider);
      assertThat(e.extension(CloudEvent.EXT_OPERATION_ID))
          .isEqualTo(e.payload(TaskEvent.class).operationId());
    }
  }
}
