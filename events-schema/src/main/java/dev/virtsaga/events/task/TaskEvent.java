package dev.virtsaga.events.task;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.TaskError;
import java.time.Instant;
import java.util.List;

/**
 * What a worker reports about a task, on {@code vm.task-events.v1}.
 *
 * @param providerRef the hypervisor's id of the VM (set by a successful CREATE)
 * @param providerTaskRef the hypervisor's id of an asynchronous task, when there is one
 * @param power the VM's power state after the call, when known
 * @param error why the task failed ({@link TaskStatus#FAILED} only)
 * @param result what the task produced (an export's checksum, a migration's host, …)
 */
public record TaskEvent(
    String taskId,
    String operationId,
    String vmId,
    String provider,
    String step,
    TaskAction action,
    int attempt,
    TaskStatus status,
    Instant at,
    @Opt String providerRef,
    @Opt String providerTaskRef,
    @Opt Integer progress,
    @Opt PowerState power,
    @Opt List<String> ips,
    @Opt TaskError error,
    @Opt OperationResult result) {

  /** A report without a result. */
  public TaskEvent(
      String taskId,
      String operationId,
      String vmId,
      String provider,
      String step,
      TaskAction action,
      int attempt,
      TaskStatus status,
      Instant at,
      String providerRef,
      String providerTaskRef,
      Integer progress,
      PowerState power,
      List<String> ips,
      TaskError error) {
    this(
        taskId,
        operationId,
        vmId,
        provider,
        step,
        action,
        attempt,
        status,
        at,
        providerRef,
        providerTaskRef,
        progress,
        power,
        ips,
        error,
        null);
  }

  /** The same report with a result. */
  public TaskEvent withResult(OperationResult newResult) {
    return new TaskEvent(
        taskId,
        operationId,
        vmId,
        provider,
        step,
        action,
        attempt,
        status,
        at,
        providerRef,
        providerTaskRef,
        progress,
        power,
        ips,
        error,
        newResult);
  }

  /**
   * A report about {@code task}: the task's identity (id, operation, VM, provider, step, action,
   * attempt) copied from it, the rest as given.
   */
  public static TaskEvent reporting(
      TaskRequested task,
      TaskStatus status,
      Instant at,
      String providerRef,
      Integer progress,
      PowerState power,
      List<String> ips,
      TaskError error) {
    return new TaskEvent(
        task.taskId(),
        task.operationId(),
        task.vmId(),
        task.provider(),
        task.step(),
        task.action(),
        task.attempt(),
        status,
        at,
        providerRef,
        null,
        progress,
        power,
        ips,
        error);
  }
}
