package dev.virtsaga.worker.libvirt.config;

import dev.virtsaga.providers.libvirt.LibvirtProvider;
import dev.virtsaga.providers.libvirt.LibvirtSettings;
import dev.virtsaga.providers.spi.UrlPolicy;
import dev.virtsaga.worker.core.service.ProviderHosts;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /** Every host this worker reaches: {@code uri} as {@code host-name}, then {@code hosts}. */
  @Produces
  @Singleton
  ProviderHosts libvirtHosts(
      LibvirtProvider primary, LibvirtConfig config, @Named(POOL) ExecutorService threads) {
    List<ProviderHosts.Host> hosts = new ArrayList<>();
    hosts.add(new ProviderHosts.Host(config.hostName(), config.uri(), primary));
    for (String entry : config.hosts().orElse(List.of())) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException(
            "virtsaga.libvirt.hosts entries are name=uri, not " + entry);
      }
      String name = entry.substring(0, eq).strip();
      String uri = entry.substring(eq + 1).strip();
      LOG.infof("libvirt worker also reaches host %s at %s", name, uri);
      hosts.add(
          new ProviderHosts.Host(
              name,
              uri,
              new LibvirtProvider(
                  new LibvirtSettings(uri, config.storagePool(), config.storagePoolPath())
                      .withUrlPolicy(urlPolicy(config.transfer())),
                  threads)));
    }
    return new ProviderHosts(hosts);
  }

  void closeOthers(@Disposes ProviderHosts hosts) {
    for (String name : hosts.names().subList(1, hosts.names().size())) {
      ((LibvirtProvider) hosts.provider(name)).close();
    }
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
