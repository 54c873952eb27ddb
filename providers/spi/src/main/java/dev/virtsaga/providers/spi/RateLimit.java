package dev.virtsaga.providers.spi;

/**
 * How fast a worker may call one provider endpoint: a token bucket.
 *
 * @param qps sustained calls per second, &gt; 0
 * @param burst calls allowed at once above the sustained rate, &ge; 1
 */
public record RateLimit(double qps, int burst) {
  public RateLimit {
    if (!(qps > 0) || Double.isInfinite(qps)) {
      throw new IllegalArgumentException("qps must be a positive number, was " + qps);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("burst must be at least 1, was " + burst);
    }
  }
}
