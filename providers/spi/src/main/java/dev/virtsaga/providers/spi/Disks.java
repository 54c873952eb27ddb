package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * {@link Capability#DISK_EXPORT_IMPORT}: disk info, and copying disks out and in with SHA-256.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}. Every
 * URL is checked against the adapter's {@link UrlPolicy} before anything is read or written: a
 * refused URL is {@link ErrorType#INVALID_SPEC}.
 */
public interface Disks {

  /**
   * The VM's disks, root disk first. Read-only.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} when the VM does not exist
   */
  Uni<List<DiskInfo>> disks(String vmId, String providerRef);

  /**
   * Writes one disk to the request's target in the requested format and returns the SHA-256 of what
   * was written.
   *
   * <p>Idempotent: the target is replaced as a whole (written aside, then moved into place), so a
   * retried export leaves one complete image.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} for an unknown VM, disk or snapshot,
   *     {@link ErrorType#CONFLICT} when the disk is in use and cannot be read consistently, {@link
   *     ErrorType#INVALID_SPEC} for a refused target
   */
  Uni<DiskTransfer> exportDisk(DiskExportRequest request);

  /**
   * Copies the source into the provider's storage after checking its SHA-256.
   *
   * <p>Idempotent by {@link DiskImportRequest#name()}: when a disk of that name was imported
   * already, it is returned ({@code created = false}) and nothing is copied.
   *
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} when the checksum does not match (and
   *     nothing is kept), for a refused source or a source that is not in the stated format
   */
  Uni<DiskTransfer> importDisk(DiskImportRequest request);
}
