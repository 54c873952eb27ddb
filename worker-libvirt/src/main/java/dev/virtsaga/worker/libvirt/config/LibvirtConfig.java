package dev.virtsaga.worker.libvirt.config;

import dev.virtsaga.providers.libvirt.LibvirtSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The libvirt endpoint, {@code virtsaga.libvirt.*} (env {@code VIRTSAGA_LIBVIRT_URI}, …). */
@ConfigMapping(prefix = "virtsaga.libvirt")
public interface LibvirtConfig {

  /**
   * libvirt connection URI: {@code test:///default} (in-process test driver), {@code
   * test+unix:///default} (libvirtd's test driver, shared between processes) or {@code
   * qemu:///system} (real QEMU).
   */
  @WithDefault(LibvirtSettings.DEFAULT_URI)
  String uri();

  /** What tasks, users and migrations call the host at {@link #uri()}. */
  @WithDefault("default")
  String hostName();

  /**
   * Further hosts this worker reaches, each {@code name=uri} (e.g. {@code
   * host-b=qemu+ssh://root@b/system}): migration targets, and where tasks of VMs migrated there go.
   * Every host needs the storage pool on shared storage at the same path.
   */
  Optional<List<String>> hosts();

  /** Threads running blocking libvirt calls (the bulkhead between libvirt and everything else). */
  @WithDefault("16")
  int threads();

  /** Storage pool for root disks (QEMU); a directory pool is created when missing. */
  @WithDefault(LibvirtSettings.DEFAULT_POOL)
  String storagePool();

  /** Directory of that pool when the worker has to create it. */
  @WithDefault(LibvirtSettings.DEFAULT_POOL_PATH)
  String storagePoolPath();

  /** Which URLs disk export and import may use, {@code virtsaga.libvirt.transfer.*}. */
  Transfer transfer();

  /**
   * The URL allow-list of disk export and import ({@link dev.virtsaga.providers.spi.UrlPolicy}).
   * {@code http(s)} URLs go only to hosts whose every address is public unless allowed here.
   */
  interface Transfer {

    /** Directories {@code file:} URLs may point into (after resolving {@code ..} and symlinks). */
    @WithDefault(LibvirtSettings.DEFAULT_TRANSFER_DIR)
    List<String> fileRoots();

    /**
     * Host names or literal addresses allowed although they are not public (loopback, private,
     * link-local, …), e.g. an image server on the management network. None by default.
     */
    Optional<List<String>> allowedHosts();

    /** Whether non-public addresses are allowed for every host (SSRF protection off). */
    @WithDefault("false")
    boolean allowPrivateNetworks();
  }
}
