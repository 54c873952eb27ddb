package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.task.TaskRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Task fixtures. */
public final class Tasks {
  public static final String PROVIDER = "memory";

  private Tasks() {}

  public static TaskRequested task(String vmId, TaskAction action, Duration deadlineIn) {
    return task(vmId, action, 1, Instant.now().plus(deadlineIn));
  }

  public static TaskRequested task(String vmId, TaskAction action, int attempt, Instant deadline) {
    String op = "op-" + vmId + "-" + action;
    return new TaskRequested(
        UUID.randomUUID().toString(),
        op,
        vmId,
        PROVIDER,
        action.name().toLowerCase(),
        action,
        attempt,
        op + ":" + action.name().toLowerCase(),
        deadline,
        action == TaskAction.CREATE
            ? new VmSpec("vm-" + vmId.substring(0, 4), PROVIDER, 1, 64, 0, null, Map.of())
            : null,
        null);
  }

  public static String newVmId() {
    return UUID.randomUUID().toString();
  }
}
