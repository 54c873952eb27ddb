package dev.virtsaga.providers.libvirt;

import java.util.Objects;

/**
 * Where the adapter connects and keeps disks.
 *
 * @param uri libvirt connection URI: {@code test:///default} (in-process mock) or {@code
 *     qemu:///system} (real QEMU)
 * @param storagePool the storage pool root disks are created in (QEMU only); created as a directory
 *     pool when missing
 * @param storagePoolPath the directory of that pool when the adapter has to create it
 */
public record LibvirtSettings(String uri, String storagePool, String storagePoolPath) {
  public static final String DEFAULT_URI = "test:///default";
  public static final String DEFAULT_POOL = "virtsaga";
  public static final String DEFAULT_POOL_PATH = "/var/lib/libvirt/images/virtsaga";

  public LibvirtSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(storagePool, "storagePool");
    Objects.requireNonNull(storagePoolPath, "storagePoolPath");
    DriverKind.of(uri);
  }

  /** The default pool on the given URI. */
  public static LibvirtSettings of(String uri) {
    return new LibvirtSettings(uri, DEFAULT_POOL, DEFAULT_POOL_PATH);
  }

  public DriverKind driver() {
    return DriverKind.of(uri);
  }
}
