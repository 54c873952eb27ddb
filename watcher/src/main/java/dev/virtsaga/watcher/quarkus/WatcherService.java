package dev.virtsaga.watcher.quarkus;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.WatchSource;
import dev.virtsaga.watcher.ObservationSink;
import dev.virtsaga.watcher.WatchLoop;
import dev.virtsaga.worker.core.service.ProviderHosts;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jboss.logging.Logger;

/**
 * Runs one {@link WatchLoop} per endpoint of the worker's provider (per adapter instance: several
 * hosts reached through one vCenter or Kubernetes API share one), when the adapter declares {@link
 * Capability#WATCH}. Started with the worker, stopped with it (ADR 0005).
 */
@ApplicationScoped
public class WatcherService {
  private static final Logger LOG = Logger.getLogger(WatcherService.class);

  private final ProviderHosts hosts;
  private final ObservationSink sink;
  private final WatcherConfig config;
  private final List<WatchLoop> loops = new ArrayList<>();

  public WatcherService(ProviderHosts hosts, KafkaObservationSink sink, WatcherConfig config) {
    this.hosts = hosts;
    this.sink = sink;
    this.config = config;
  }

  synchronized void start(@Observes StartupEvent ev) {
    if (!config.enabled()) {
      LOG.info("the watcher is disabled (virtsaga.watcher.enabled=false)");
      return;
    }
    Map<Provider, String> endpoints = new IdentityHashMap<>();
    for (String name : hosts.names()) {
      endpoints.putIfAbsent(hosts.provider(name), name);
    }
    Random random = new Random();
    for (Map.Entry<Provider, String> e : endpoints.entrySet()) {
      Provider p = e.getKey();
      if (!(p instanceof WatchSource source) || !p.capabilities().contains(Capability.WATCH)) {
        LOG.infof("provider %s (%s) cannot be watched", p.name(), e.getValue());
        continue;
      }
      WatchLoop loop =
          new WatchLoop(
              p.name(),
              e.getValue(),
              source,
              p::validate,
              sink,
              config.settings(),
              Clock.systemUTC(),
              random);
      loops.add(loop);
      loop.start();
    }
  }

  synchronized void stop(@Observes ShutdownEvent ev) {
    loops.forEach(WatchLoop::close);
    loops.clear();
  }

  /** The running loops, one per endpoint. */
  public synchronized List<WatchLoop> loops() {
    return List.copyOf(loops);
  }
}
