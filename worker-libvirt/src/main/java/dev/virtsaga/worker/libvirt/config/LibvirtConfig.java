package dev.virtsaga.worker.libvirt.config;

import dev.virtsaga.providers.libvirt.LibvirtSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

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

  /** Threads running blocking libvirt calls (the bulkhead between libvirt and everything else). */
  @WithDefault("16")
  int threads();

  /** Storage pool for root disks (QEMU); a directory pool is created when missing. */
  @WithDefault(LibvirtSettings.DEFAULT_POOL)
  String storagePool();

  /** Directory of that pool when the worker has to create it. */
  @WithDefault(LibvirtSettings.DEFAULT_POOL_PATH)
  String storagePoolPath();
}
