package dev.virtsaga.worker.libvirt.config;

import dev.virtsaga.providers.libvirt.LibvirtProvider;
import dev.virtsaga.providers.libvirt.LibvirtSettings;
import dev.virtsaga.providers.spi.UrlPolicy;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/** The adapter worker-core runs: a {@link LibvirtProvider} on its own thread pool. */
@Singleton
public class LibvirtBeans {
  private static final Logger LOG = Logger.getLogger(LibvirtBeans.class);
  private static final String POOL = "libvirt";

  @Produces
  @Singleton
  @Named(POOL)
  ExecutorService libvirtThreads(LibvirtConfig config) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "libvirt-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newFixedThreadPool(config.threads(), threads);
  }

  void shutdown(@Disposes @Named(POOL) ExecutorService threads) {
    threads.shutdownNow();
  }

  @Produces
  @Singleton
  LibvirtProvider libvirtProvider(LibvirtConfig config, @Named(POOL) ExecutorService threads) {
    UrlPolicy urlPolicy = urlPolicy(config.transfer());
    LOG.infof(
        "libvirt worker on %s (%d threads), disk transfers: files under %s, non-public hosts"
            + " allowed: %s, private networks allowed: %s",
        config.uri(),
        config.threads(),
        urlPolicy.fileRoots(),
        urlPolicy.allowedHosts(),
        urlPolicy.allowPrivateNetworks());
    return new LibvirtProvider(
        new LibvirtSettings(config.uri(), config.storagePool(), config.storagePoolPath())
            .withUrlPolicy(urlPolicy),
        threads);
  }

  /** The URL allow-list of disk export and import configured under {@code transfer}. */
  static UrlPolicy urlPolicy(LibvirtConfig.Transfer transfer) {
    return new UrlPolicy(
        transfer.fileRoots().stream().map(Path::of).toList(),
        Set.copyOf(transfer.allowedHosts().orElse(List.of())),
        transfer.allowPrivateNetworks(),
        null);
  }

  void close(@Disposes LibvirtProvider provider) {
    provider.close();
  }
}
