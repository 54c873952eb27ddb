package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.AdoptArgs;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.VmSpec;

/**
 * A validated command as the client asked for it, before ids are assigned.
 *
 * @param vmId the target VM; {@code null} for {@link CommandType#CREATE}, which makes a new one
 * @param fingerprint hash of method, path and canonical body; equal for equal requests
 * @param snapshotId snapshot delete / revert: the snapshot (a create's snapshot id is its operation
 *     id)
 * @param snapshotName snapshot create: its display name
 * @param cloneTo clone: the new VM's name and the snapshot to copy; its {@code targetVmId} is
 *     {@code null} here and chosen when the command is submitted
 * @param targetHost migrate: where to
 * @param export disk export: where and how (the URL already checked against the allow-list)
 * @param adopt adopt: the VM as the watcher last saw it (its {@code vmId} is the candidate's, its
 *     {@code spec} what the VM is)
 */
public record CommandRequest(
    CommandType type,
    String vmId,
    VmSpec spec,
    Boolean force,
    Integer gracefulTimeoutSeconds,
    String fingerprint,
    String snapshotId,
    String snapshotName,
    CloneArgs cloneTo,
    String targetHost,
    DiskExportArgs export,
    AdoptArgs adopt) {

  /** A command that adopts nothing. */
  public CommandRequest(
      CommandType type,
      String vmId,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String fingerprint,
      String snapshotId,
      String snapshotName,
      CloneArgs cloneTo,
      String targetHost,
      DiskExportArgs export) {
    this(
        type,
        vmId,
        spec,
        force,
        gracefulTimeoutSeconds,
        fingerprint,
        snapshotId,
        snapshotName,
        cloneTo,
        targetHost,
        export,
        null);
  }

  /** A command that is not about a snapshot. */
  public CommandRequest(
      CommandType type,
      String vmId,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String fingerprint) {
    this(type, vmId, spec, force, gracefulTimeoutSeconds, fingerprint, null, null);
  }

  /** A command without clone, migration or export arguments. */
  public CommandRequest(
      CommandType type,
      String vmId,
      VmSpec spec,
      Boolean force,
      Integer gracefulTimeoutSeconds,
      String fingerprint,
      String snapshotId,
      String snapshotName) {
    this(
        type,
        vmId,
        spec,
        force,
        gracefulTimeoutSeconds,
        fingerprint,
        snapshotId,
        snapshotName,
        null,
        null,
        null);
  }
}
