package dev.virtsaga.providers.spi;

import java.util.Locale;

/** Disk image formats for {@link Disks} export and import. */
public enum DiskFormat {
  QCOW2,
  RAW,
  VMDK;

  /** The lower-case name tools use ({@code qemu-img -O qcow2}). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} for an unknown format
   */
  public static DiskFormat of(String id) {
    for (DiskFormat f : values()) {
      if (f.id().equalsIgnoreCase(id)) {
        return f;
      }
    }
    throw ProviderException.invalidSpec("unknown disk format " + id + ", use qcow2, raw or vmdk");
  }
}
