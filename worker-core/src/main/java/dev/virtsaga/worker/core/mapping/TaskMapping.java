package dev.virtsaga.worker.core.mapping;

import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import java.time.Instant;
import java.util.List;

/** Between the wire (events-schema) and the provider SPI. */
public final class TaskMapping {
  private TaskMapping() {}

  /** The power operation of a power task. */
  public static PowerOp powerOp(TaskAction action) {
    return switch (action) {
      case POWER_ON -> PowerOp.ON;
      case POWER_OFF -> PowerOp.OFF;
      case SHUTDOWN_GRACEFUL -> PowerOp.SHUTDOWN_GRACEFUL;
      case REBOOT -> PowerOp.REBOOT;
      case SUSPEND -> PowerOp.SUSPEND;
      case RESUME -> PowerOp.RESUME;
      default -> throw new IllegalArgumentException(action + " is not a power task");
    };
  }

  /**
   * The provider request of a RECONFIGURE task: the spec's CPUs and memory, and its root disk when
   * it has one (which grows it, or adds it).
   */
  public static ReconfigureRequest reconfigureRequest(TaskRequested task) {
    VmSpec spec = task.spec();
    if (spec == null) {
      throw ProviderException.invalidSpec("reconfigure task " + task.taskId() + " has no spec");
    }
    List<ReconfigureRequest.DiskChange> disks =
        spec.diskGiB() > 0
            ? List.of(new ReconfigureRequest.DiskChange("root", spec.diskGiB()))
            : List.of();
    return new ReconfigureRequest(spec.cpus(), spec.memoryMiB(), disks);
  }

  public static dev.virtsaga.events.model.PowerState toWire(PowerState power) {
    return dev.virtsaga.events.model.PowerState.valueOf(power.name());
  }

  public static dev.virtsaga.events.model.ErrorType toWire(ErrorType type) {
    return dev.virtsaga.events.model.ErrorType.valueOf(type.name());
  }

  /**
   * The create request of a CREATE task.
   *
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} when the task carries no spec
   */
  public static CreateRequest createRequest(TaskRequested task) {
    VmSpec spec = task.spec();
    if (spec == null) {
      throw ProviderException.invalidSpec("CREATE task " + task.taskId() + " carries no spec");
    }
    if (spec.name() == null) {
      throw ProviderException.invalidSpec("CREATE task " + task.taskId() + " has no VM name");
    }
    return new CreateRequest(
        task.vmId(),
        task.operationId(),
        spec.name(),
        spec.cpus(),
        spec.memoryMiB(),
        spec.diskGiB(),
        spec.image(),
        spec.labels());
  }

  /** An event about a task with nothing but its status. */
  public static TaskEvent event(TaskRequested task, TaskStatus status, Instant at) {
    return TaskEvent.reporting(task, status, at, task.providerRef(), null, null, null, null);
  }

  /** The SUCCEEDED event of a task, with what the provider reported afterwards. */
  public static TaskEvent succeeded(
      TaskRequested task, Instant at, String providerRef, PowerState power, List<String> ips) {
    return TaskEvent.reporting(
        task,
        TaskStatus.SUCCEEDED,
        at,
        providerRef != null ? providerRef : task.providerRef(),
        100,
        power == null ? null : toWire(power),
        ips == null || ips.isEmpty() ? null : List.copyOf(ips),
        null);
  }

  /** The FAILED event of a task. */
  public static TaskEvent failed(TaskRequested task, Instant at, TaskError error) {
    return TaskEvent.reporting(
        task, TaskStatus.FAILED, at, task.providerRef(), null, null, null, error);
  }
}
