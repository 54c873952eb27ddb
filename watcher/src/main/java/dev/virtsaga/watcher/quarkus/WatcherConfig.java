package dev.virtsaga.watcher.quarkus;

import dev.virtsaga.watcher.WatcherSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code virtsaga.watcher.*}: the watcher beside a worker. */
@ConfigMapping(prefix = "virtsaga.watcher")
public interface WatcherConfig {

  /** Whether this worker watches its provider's endpoints. */
  @WithDefault("true")
  boolean enabled();

  /** The wait after a first failure; doubles per consecutive failure. */
  @WithDefault("200ms")
  Duration backoffInitial();

  @WithDefault("30s")
  Duration backoffMax();

  /** The random fraction of each wait, in [0, 1]. */
  @WithDefault("0.5")
  double jitter();

  /** Consecutive failures that open an endpoint's circuit breaker. */
  @WithDefault("5")
  int breakerThreshold();

  /** How long an open breaker refuses calls before one probe. */
  @WithDefault("10s")
  Duration breakerOpenFor();

  @WithDefault("30s")
  Duration listTimeout();

  /** A watch is restarted after a random time in [this, 2 · this]. */
  @WithDefault("5m")
  Duration watchRestart();

  /** How often each endpoint's health is checked. */
  @WithDefault("10s")
  Duration probeInterval();

  @WithDefault("5s")
  Duration probeTimeout();

  /** How often every known VM is reported again (the informer's resync). */
  @WithDefault("10m")
  Duration resync();

  default WatcherSettings settings() {
    return new WatcherSettings(
        backoffInitial(),
        backoffMax(),
        jitter(),
        breakerThreshold(),
        breakerOpenFor(),
        listTimeout(),
        watchRestart(),
        probeInterval(),
        probeTimeout(),
        resync());
  }
}
