package dev.virtsaga.watcher;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter for reconnects: the n-th consecutive failure waits a random time
 * in {@code [(1 - jitter) · d, d]} where {@code d = min(max, initial · 2^(n-1))}, so watchers that
 * lost the same server do not come back in lockstep. {@link #reset()} after a good relist.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final double jitter;
  private final RandomGenerator random;
  private int failures;

  /**
   * @param jitter the fraction of each delay that is random, in [0, 1]
   */
  public Backoff(Duration initial, Duration max, double jitter, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
    }
    this.initial = initial;
    this.max = max;
    this.jitter = jitter;
    this.random = random;
  }

  /** The wait before the next attempt, counting one more failure. */
  public synchronized Duration next() {
    failures++;
    return jittered(ceiling(failures));
  }

  /** The upper bound of the wait after {@code n} consecutive failures. */
  Duration ceiling(int n) {
    long base = initial.toMillis();
    int shift = Math.min(n - 1, 30);
    long d = base << shift;
    if (d <= 0 || d > max.toMillis() || (d >> shift) != base) {
      return max;
    }
    return Duration.ofMillis(d);
  }

  /** A random time in {@code [(1 - jitter) · d, d]}. */
  public Duration jittered(Duration d) {
    long ms = d.toMillis();
    long spread = (long) (ms * jitter);
    return Duration.ofMillis(ms - (spread == 0 ? 0 : random.nextLong(spread + 1)));
  }

  /** Consecutive failures counted so far. */
  public synchronized int failures() {
    return failures;
  }

  public synchronized void reset() {
    failures = 0;
  }
}
