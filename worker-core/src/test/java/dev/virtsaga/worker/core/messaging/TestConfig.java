package dev.virtsaga.worker.core.messaging;

import dev.virtsaga.worker.core.config.WorkerConfig;
import java.time.Duration;
import java.util.Optional;

/** A {@link WorkerConfig} with the defaults, for tests without Quarkus. */
record TestConfig(String provider, Optional<String> source) implements WorkerConfig {
  @Override
  public Optional<String> advertisedUrl() {
    return Optional.empty();
  }

  @Override
  public Duration pollInterval() {
    return Duration.ofMillis(20);
  }

  @Override
  public Duration guestIpWait() {
    return Duration.ZERO;
  }

  @Override
  public Duration maxTaskDuration() {
    return Duration.ofMinutes(10);
  }

  @Override
  public Duration statusInterval() {
    return Duration.ofSeconds(15);
  }

  @Override
  public Duration healthTimeout() {
    return Duration.ofSeconds(5);
  }

  @Override
  public int maxInFlight() {
    return 256;
  }

  @Override
  public int sendRetries() {
    return 5;
  }

  @Override
  public CompletedCache completedCache() {
    return new CompletedCache() {
      @Override
      public int size() {
        return 100;
      }

      @Override
      public Duration ttl() {
        return Duration.ofMinutes(15);
      }
    };
  }
}
