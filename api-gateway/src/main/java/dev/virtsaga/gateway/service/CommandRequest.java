package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;

/**
 * A validated command as the client asked for it, before ids are assigned.
 *
 * @param vmId the target VM; {@code null} for {@link CommandType#CREATE}, which makes a new one
 * @param fingerprint hash of method, path and canonical body; equal for equal requests
 * @param snapshotId snapshot delete / revert: the snapshot (a create's snapshot id is its operation
 *     id)
 * @param snapshotName snapshot create: its display name
 */
public record CommandRequest(
    CommandType type,
    String vmId,
    VmSpec spec,
    Boolean force,
    Integer gracefulTimeoutSeconds,
    String fingerprint,
    String snapshotId,
    String snapshotName) {

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
}
