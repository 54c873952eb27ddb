package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.UrlPolicy;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the adapter connects and keeps disks.
 *
 * @param uri libvirt connection URI: {@code test:///default} (in-process mock) or {@code
 *     qemu:///system} (real QEMU)
 * @param storagePool the storage pool root disks are created in (QEMU only); created as a directory
 *     pool when missing
 * @param storagePoolPath the directory of that pool when the adapter has to create it
 * @param urlPolicy which URLs disk export and import may use
 */
public record LibvirtSettings(
    String uri, String storagePool, String storagePoolPath, UrlPolicy urlPolicy) {
  public static final String DEFAULT_URI = "test:///default";
  public static final String DEFAULT_POOL = "virtsaga";
  public static final String DEFAULT_POOL_PATH = "/var/lib/libvirt/images/virtsaga";

  /** Disk exports and imports are allowed only under this directory unless configured. */
  public static final String DEFAULT_TRANSFER_DIR = "/var/lib/virtsaga/transfer";

  public LibvirtSettings {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(storagePool, "storagePool");
    Objects.requireNonNull(storagePoolPath, "storagePoolPath");
    Objects.requireNonNull(urlPolicy, "urlPolicy");
    DriverKind.of(uri);
  }

  /** Files under {@link #DEFAULT_TRANSFER_DIR} only. */
  public LibvirtSettings(String uri, String storagePool, String storagePoolPath) {
    this(uri, storagePool, storagePoolPath, UrlPolicy.files(Path.of(DEFAULT_TRANSFER_DIR)));
  }

  /** The default pool on the given URI. */
  public static LibvirtSettings of(String uri) {
    return new LibvirtSettings(uri, DEFAULT_POOL, DEFAULT_POOL_PATH);
  }

  public LibvirtSettings withUrlPolicy(UrlPolicy policy) {
    return new LibvirtSettings(uri, storagePool, storagePoolPath, policy);
  }

  public DriverKind driver() {
    return DriverKind.of(uri);
  }
}
