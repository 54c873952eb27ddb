package dev.virtsaga.worker.core.messaging;

/**
 * The worker's channels. The application maps them to topics ({@code mp.messaging.incoming.tasks.
 * topic=vm.tasks.<provider>.v1}, {@code
 * mp.messaging.outgoing.task-events.topic=vm.task-events.v1}).
 */
public final class TaskChannels {
  /** Incoming {@code task.requested} events. */
  public static final String TASKS = "tasks";

  /** Outgoing provider status ({@code vm.providers.v1}, compacted). */
  public static final String PROVIDER_STATUS = "provider-status";

  /** Outgoing task events. */
  public static final String TASK_EVENTS = "task-events";

  private TaskChannels() {}
}
