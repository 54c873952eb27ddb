package dev.virtsaga.providers.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One disk of a VM, as {@link Disks#disks} sees it.
 *
 * @param diskId the adapter's id of the disk ({@code root} for the root disk)
 * @param path where the disk lives on the provider (file path, volume key, …)
 * @param format its image format, or {@code null} when it is none of {@link DiskFormat}
 * @param virtualSizeBytes the size the guest sees
 * @param actualSizeBytes the space it takes on the provider
 * @param backingFile the image it is layered on, or {@code null}
 * @param bootable whether the VM boots from it
 * @param snapshots names of the snapshots stored in the disk (internal qcow2 snapshots)
 * @param raw provider-specific details
 */
public record DiskInfo(
    String diskId,
    String path,
    DiskFormat format,
    long virtualSizeBytes,
    long actualSizeBytes,
    String backingFile,
    boolean bootable,
    List<String> snapshots,
    Map<String, String> raw) {
  public DiskInfo {
    Objects.requireNonNull(diskId, "diskId");
    snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
    raw = raw == null ? Map.of() : Map.copyOf(raw);
  }
}
