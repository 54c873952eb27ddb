package dev.virtsaga.events.state;

import dev.virtsaga.events.Opt;
import java.time.Instant;

/**
 * A snapshot of a VM, a sub-resource with its own phase: while one is being taken, deleted or
 * reverted to, the VM carries the {@code Locked} condition and its state does not change.
 *
 * @param message why the last operation on it failed
 */
public record SnapshotView(
    String id, String name, SnapshotPhase phase, Instant createdAt, @Opt String message) {

  /** Where a snapshot is in its life. */
  public enum SnapshotPhase {
    IN_PROGRESS,
    SUCCEEDED,
    FAILED,
    DELETING
  }
}
