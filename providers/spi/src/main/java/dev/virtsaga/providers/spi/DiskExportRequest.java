package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * Copies one disk of a VM out to a target.
 *
 * @param vmId the VM
 * @param providerRef its providerRef, or {@code null}
 * @param diskId the disk ({@link DiskInfo#diskId()}), {@code null} for the root disk
 * @param snapshotId export the disk as it was in this snapshot, or {@code null}
 * @param target where to write: a URL checked by the adapter's {@link UrlPolicy} ({@code file:///…}
 *     under an allowed directory, …)
 * @param format the format to write
 */
public record DiskExportRequest(
    String vmId,
    String providerRef,
    String diskId,
    String snapshotId,
    String target,
    DiskFormat format) {
  public DiskExportRequest {
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(format, "format");
  }
}
