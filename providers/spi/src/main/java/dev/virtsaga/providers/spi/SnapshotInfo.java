package dev.virtsaga.providers.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One snapshot of a VM.
 *
 * @param snapshotId the provider's id of the snapshot (for libvirt its name)
 * @param name the name given at creation; unique per VM
 * @param description free text, or {@code null}
 * @param createdAt when the snapshot was taken, or {@code null} when the provider does not say
 * @param power the VM's power state captured with it (ON when memory was included)
 * @param parentId the snapshot it was taken on top of, or {@code null}
 */
public record SnapshotInfo(
    String snapshotId,
    String name,
    String description,
    Instant createdAt,
    PowerState power,
    String parentId) {
  public SnapshotInfo {
    Objects.requireNonNull(snapshotId, "snapshotId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(power, "power");
  }
}
