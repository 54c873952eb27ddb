package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * {@link Capability#SNAPSHOTS}: point-in-time copies of a VM that it can be reverted to.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}; an
 * unknown VM is {@link ErrorType#NOT_FOUND} for every method but {@link #deleteSnapshot}.
 */
public interface Snapshots {

  /**
   * Takes a snapshot named {@code name}.
   *
   * <p>Idempotent by name: when the VM already has a snapshot of that name, it is returned and no
   * second snapshot is taken (the description of the existing one wins).
   *
   * @param name 1-64 characters of {@code [A-Za-z0-9_.-]}
   * @param description free text, or {@code null}
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} for a bad name
   */
  Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description);

  /** The VM's snapshots, oldest first. Read-only. */
  Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef);

  /**
   * Deletes one snapshot (its children are kept).
   *
   * <p>Idempotent: succeeds when the snapshot or the VM does not exist.
   */
  Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId);

  /**
   * Brings the VM back to the snapshot: its disks, and its power state when memory was captured.
   *
   * <p>Idempotent in effect: reverting twice to the same snapshot leaves the VM in the same state.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} when the snapshot does not exist
   */
  Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId);

  /** Checks a snapshot name; every adapter accepts at least these names. */
  static void requireValidName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}") || name.startsWith(".")) {
      throw ProviderException.invalidSpec(
          "snapshot names are 1-64 of [A-Za-z0-9_.-], not starting with '.': " + name);
    }
  }
}
