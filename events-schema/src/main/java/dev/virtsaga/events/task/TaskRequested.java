package dev.virtsaga.events.task;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import java.time.Instant;

/**
 * A saga step asking a worker for one provider call, on {@code vm.tasks.<provider>.v1}.
 *
 * @param idempotencyKey {@code operationId:step}; a worker that sees it twice does the work once
 * @param deadline a worker drops the task (failing it with TIMEOUT) once this has passed
 * @param spec the VM's spec, for CREATE; the spec it should get, for RECONFIGURE
 * @param providerRef the hypervisor's id of the VM, once known
 * @param snapshotId snapshot tasks: VirtSaga's id of the snapshot (also its name on the provider)
 * @param cloneTo CLONE, CLONE_DISCARD: the clone
 * @param targetHost MIGRATE, MIGRATE_CANCEL: the host the VM moves to
 * @param export DISK_EXPORT: where and how
 * @param host the provider's host the VM is on; absent: the provider's default host
 */
public record TaskRequested(
    String taskId,
    String operationId,
    String vmId,
    String provider,
    String step,
    TaskAction action,
    int attempt,
    String idempotencyKey,
    Instant deadline,
    @Opt VmSpec spec,
    @Opt String providerRef,
    @Opt String snapshotId,
    @Opt CloneArgs cloneTo,
    @Opt String targetHost,
    @Opt DiskExportArgs export,
    @Opt String host) {

  /** A task on the default host without clone, migration or export arguments. */
  public TaskRequested(
      String taskId,
      String operationId,
      String vmId,
      String provider,
      String step,
      TaskAction action,
      int attempt,
      String idempotencyKey,
      Instant deadline,
      VmSpec spec,
      String providerRef,
      String snapshotId) {
    this(
        taskId,
        operationId,
        vmId,
        provider,
        step,
        action,
        attempt,
        idempotencyKey,
        deadline,
        spec,
        providerRef,
        snapshotId,
        null,
        null,
        null,
        null);
  }

  /** A task that is not about a snapshot. */
  public TaskRequested(
      String taskId,
      String operationId,
      String vmId,
      String provider,
      String step,
      TaskAction action,
      int attempt,
      String idempotencyKey,
      Instant deadline,
      VmSpec spec,
      String providerRef) {
    this(
        taskId,
        operationId,
        vmId,
        provider,
        step,
        action,
        attempt,
        idempotencyKey,
        deadline,
        spec,
        providerRef,
        null,
        null,
        null,
        null,
        null);
  }
}
