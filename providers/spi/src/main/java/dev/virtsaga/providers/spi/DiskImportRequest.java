package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * Copies a disk image into the provider's storage, where it can be a base image ({@link
 * CreateRequest#image()}).
 *
 * @param name the imported disk's name; the idempotency key
 * @param source where to read: a URL checked by the adapter's {@link UrlPolicy}
 * @param sourceFormat the format of the source image
 * @param expectedSha256 the SHA-256 (hex) the source must have, required
 */
public record DiskImportRequest(
    String name, String source, DiskFormat sourceFormat, String expectedSha256) {
  public DiskImportRequest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sourceFormat, "sourceFormat");
  }

  /**
   * The name of the import made for one VM's root disk: {@code "vm-" + vmId}.
   *
   * <p>Such an import belongs to that VM: the worker imports it under this name, creates the VM
   * with the returned {@link DiskTransfer#location()} as {@link CreateRequest#image()}, and {@link
   * Provider#delete} of the VM removes it too (adapters that keep imports as separate objects). A
   * retried import of the same VM finds it by name. Imports under other names are shared base
   * images and outlive the VMs made from them. The name is valid ({@link #requireValid}) for vmIds
   * of up to 61 characters of {@code [A-Za-z0-9_.-]} (UUIDs).
   */
  public static String nameForVm(String vmId) {
    Objects.requireNonNull(vmId, "vmId");
    return "vm-" + vmId;
  }

  /**
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} for a bad name or checksum
   */
  public void requireValid() {
    if (!name.matches("[A-Za-z0-9_.-]{1,64}") || name.startsWith(".")) {
      throw ProviderException.invalidSpec(
          "disk names are 1-64 of [A-Za-z0-9_.-], not starting with '.': " + name);
    }
    if (expectedSha256 == null || !expectedSha256.matches("[0-9a-fA-F]{64}")) {
      throw ProviderException.invalidSpec("expectedSha256 must be 64 hex digits");
    }
  }
}
