package dev.virtsaga.worker.core.service;

import java.time.Duration;
import java.util.Objects;

/**
 * How the task runtime behaves.
 *
 * @param provider the provider this worker serves
 * @param pollInterval between two describes while waiting for a graceful shutdown
 * @param maxTaskDuration the longest one task may run, even when its deadline is further away
 */
public record TaskSettings(String provider, Duration pollInterval, Duration maxTaskDuration) {
  public TaskSettings {
    Objects.requireNonNull(provider, "provider");
    if (pollInterval.isZero() || pollInterval.isNegative()) {
      throw new IllegalArgumentException("pollInterval must be positive");
    }
    if (maxTaskDuration.isZero() || maxTaskDuration.isNegative()) {
      throw new IllegalArgumentException("maxTaskDuration must be positive");
    }
  }
}
