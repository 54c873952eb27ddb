package dev.virtsaga.worker.core.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.task.TaskRequested;
import org.apache.kafka.common.header.Headers;

/** Reads a task record, or says exactly why it cannot (for the dead-letter queue). */
public final class TaskRecords {
  private TaskRecords() {}

  /**
   * The task a record carries.
   *
   * @param provider the provider this worker serves; tasks for another one are refused
   * @throws MalformedEventException when the record is not a complete {@code task.requested}
   *     CloudEvent for this provider
   */
  public static TaskRequested read(Headers headers, String value, String provider) {
    if (headers == null) {
      throw new MalformedEventException("record without headers");
    }
    CloudEvent event = KafkaCloudEvents.fromRecord(headers, value);
    if (!EventCatalog.TASK_REQUESTED.equals(event.type())) {
      throw new MalformedEventException(
          "expected " + EventCatalog.TASK_REQUESTED + ", got " + event.type());
    }
    TaskRequested task;
    try {
      task = event.payload(TaskRequested.class);
    } catch (MalformedEventException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new MalformedEventException("unreadable task " + event.id() + ": " + e.getMessage(), e);
    }
    if (task == null) {
      throw new MalformedEventException("event " + event.id() + " has no task");
    }
    require(task.taskId(), "taskId", event);
    require(task.operationId(), "operationId", event);
    require(task.vmId(), "vmId", event);
    require(task.step(), "step", event);
    require(task.idempotencyKey(), "idempotencyKey", event);
    require(task.provider(), "provider", event);
    if (task.action() == null) {
      throw new MalformedEventException("task " + event.id() + " has no action");
    }
    if (task.deadline() == null) {
      throw new MalformedEventException("task " + event.id() + " has no deadline");
    }
    if (!provider.equals(task.provider())) {
      throw new MalformedEventException(
          "task " + task.taskId() + " is for provider " + task.provider() + ", not " + provider);
    }
    return task;
  }

  private static void require(String value, String field, CloudEvent event) {
    if (value == null || value.isBlank()) {
      throw new MalformedEventException("task " + event.id() + " has no " + field);
    }
  }
}
