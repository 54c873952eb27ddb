package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.task.TaskEvent;
import io.smallrye.mutiny.Uni;

/** Where task events go ({@code vm.task-events.v1} in production). */
public interface TaskEventSink {

  /** Sends one event; the Uni completes once the broker has it (or fails). */
  Uni<Void> send(TaskEvent event);
}
