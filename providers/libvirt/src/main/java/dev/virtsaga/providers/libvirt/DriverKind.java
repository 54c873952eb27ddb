package dev.virtsaga.providers.libvirt;

import java.net.URI;

/** The libvirt driver behind a connection URI, which decides the domain XML we write. */
public enum DriverKind {
  /** {@code test:///default}: libvirt's in-process mock hypervisor. */
  TEST("test"),
  /** {@code qemu:///system}: QEMU, emulated (TCG) so it runs without KVM. */
  QEMU("qemu");

  private final String domainType;

  DriverKind(String domainType) {
    this.domainType = domainType;
  }

  /** The {@code <domain type='…'>} this driver gets. */
  public String domainType() {
    return domainType;
  }

  /**
   * The driver of a URI ({@code test:///default}, {@code qemu:///system}, {@code
   * qemu+ssh://host/system}, …).
   *
   * @throws IllegalArgumentException for a driver this adapter does not support
   */
  public static DriverKind of(String uri) {
    String scheme = URI.create(uri).getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("libvirt URI without a driver: " + uri);
    }
    String driver = scheme.contains("+") ? scheme.substring(0, scheme.indexOf('+')) : scheme;
    return switch (driver) {
      case "test" -> TEST;
      case "qemu" -> QEMU;
      default -> throw new IllegalArgumentException("unsupported libvirt driver " + driver);
    };
  }
}
