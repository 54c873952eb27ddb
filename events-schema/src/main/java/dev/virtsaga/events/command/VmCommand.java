package dev.virtsaga.events.command;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.AdoptArgs;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.VmSpec;
import java.time.Instant;

/**
 * A command on {@code vm.commands.v1}, keyed by vmId. The operation id is chosen by the gateway so
 * a client can follow it before the orchestrator has seen the command.
 *
 * @param spec the VM to create ({@link CommandType#CREATE}), or the VM as it should become ({@link
 *     CommandType#RECONFIGURE})
 * @param force stop: power off at once instead of a graceful shutdown first
 * @param gracefulTimeoutSeconds stop: how long a graceful shutdown may take before it is forced
 * @param snapshotId snapshot commands: the snapshot (chosen by the gateway on create)
 * @param snapshotName snapshot create: its display name
 * @param cloneTo clone: the VM to make
 * @param targetHost migrate: where to
 * @param export disk export: where and how
 * @param adopt adopt: the VM as observed ({@code spec} says what it is)
 */
public record VmCommand(
    String operationId,
    String vmId,
    String tenantId,
    CommandType type,
    Instant requestedAt,
    @Opt VmSpec spec,
    @Opt Boolean force,
    @Opt Integer gracefulTimeoutSeconds,
    @Opt String requestId,
    @Opt String snapshotId,
    @Opt String snapshotName,
    @Opt CloneArgs cloneTo,
    @Opt String targetHost,
    @Opt DiskExportArgs export,
    @Opt AdoptArgs adopt) {

  /** A command that adopts nothing. */
  public VmCommand(
      String operationId,
      String vmId,
      String tenantId,
      CommandType type,
      Instant requestedAt,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String requestId,
      String snapshotId,
      String snapshotName,
      CloneArgs cloneTo,
      String targetHost,
      DiskExportArgs export) {
    this(
        operationId,
        vmId,
        tenantId,
        type,
        requestedAt,
        spec,
        force,
        gracefulTimeoutSeconds,
        requestId,
        snapshotId,
        snapshotName,
        cloneTo,
        targetHost,
        export,
        null);
  }

  /** A command without clone, migration or export arguments. */
  public VmCommand(
      String operationId,
      String vmId,
      String tenantId,
      CommandType type,
      Instant requestedAt,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String requestId,
      String snapshotId,
      String snapshotName) {
    this(
        operationId,
        vmId,
        tenantId,
        type,
        requestedAt,
        spec,
        force,
        gracefulTimeoutSeconds,
        requestId,
        snapshotId,
        snapshotName,
        null,
        null,
        null);
  }

  /** A command that is not about a snapshot. */
  public VmCommand(
      String operationId,
      String vmId,
      String tenantId,
      CommandType type,
      Instant requestedAt,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String requestId) {
    this(
        operationId,
        vmId,
        tenantId,
        type,
        requestedAt,
        spec,
        force,
        gracefulTimeoutSeconds,
        requestId,
        null,
        null,
        null,
        null,
        null);
  }
}
