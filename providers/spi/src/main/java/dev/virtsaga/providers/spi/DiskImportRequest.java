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
