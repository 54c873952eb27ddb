package dev.virtsaga.orchestrator.saga;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter that never retries sooner than the provider asked. */
public final class Backoff {
  private Backoff() {}

  /**
   * The delay before attempt {@code attempt + 1}.
   *
   * @param attempt the attempt that just failed (1-based)
   * @param retryAfter the provider's hint, or null
   */
  public static Duration delay(
      int attempt, Duration base, Duration max, Duration retryAfter, RandomGenerator random) {
    long ceiling = base.toMillis() << Math.min(attempt - 1, 20);
    ceiling = Math.min(Math.max(ceiling, 1), max.toMillis());
    // full jitter in [ceiling/2, ceiling]: spread out, but never collapse to zero
    long jittered = ceiling / 2 + random.nextLong(ceiling / 2 + 1);
    long hinted = retryAfter == null ? 0 : retryAfter.toMillis();
    return Duration.ofMillis(Math.max(jittered, hinted));
  }
}
