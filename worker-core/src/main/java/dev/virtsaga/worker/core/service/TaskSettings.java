package dev.virtsaga.worker.core.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How the task runtime behaves.
 *
 * @param provider the provider this worker serves
 * @param pollInterval between two describes while waiting for a graceful shutdown
 * @param maxTaskDuration the longest one task may run, even when its deadline is further away
 * @param guestIpWait how long a power-on or resume waits for the guest to report an IP before it
 *     reports the VM running without one; zero waits not at all
 */
public record TaskSettings(
    String provider, Duration pollInterval, Duration maxTaskDuration, Duration guestIpWait) {

  /** Without waiting for guest IPs. */
  public TaskSettings(String provider, Duration pollInterval, Duration maxTaskDuration) {
    this(provider, pollInterval, maxTaskDuration, Duration.ZERO);
  }

  public TaskSettings {
    Objects.requireNonNull(guestIpWait, "guestIpWait");
    if (guestIpWait.isNegative()) {
      throw new IllegalArgumentException("guestIpWait must not be negative");
    }
    Objects.requireNonNull(provider, "provider");
    if (pollInterval.isZero() || pollInterval.isNegative()) {
      throw new IllegalArgumentException("pollInterval must be positive");
    }
    if (maxTaskDuration.isZero() || maxTaskDuration.isNegative()) {
      throw new IllegalArgumentException("maxTaskDuration must be positive");
    }
  }
}
