package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * The outcome of a disk export or import.
 *
 * @param diskId the imported disk's id, or the exported disk's id
 * @param location where the written image is (the export target, or the imported disk's path)
 * @param format the format written
 * @param sizeBytes the size of the written image file
 * @param sha256 the SHA-256 (lower-case hex) of the written image (export) or of the verified
 *     source (import)
 * @param created {@code false} when an earlier import of the same name had already made the disk
 */
public record DiskTransfer(
    String diskId,
    String location,
    DiskFormat format,
    long sizeBytes,
    String sha256,
    boolean created) {
  public DiskTransfer {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(format, "format");
  }
}
