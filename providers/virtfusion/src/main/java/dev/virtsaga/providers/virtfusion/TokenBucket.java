package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.RateLimit;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The client-side rate limit of one VirtFusion endpoint: a token bucket of {@code burst} tokens
 * refilled at {@code qps} per second, shared by every request of the adapter (retries included).
 *
 * <p>A request takes a token; when none is left it <em>reserves</em> the next one and waits until
 * it is due (a timer, no thread waits). Reservations are handed out in order, so in any interval of
 * length T at most {@code burst + qps × T} requests start, however many callers there are.
 */
final class TokenBucket {
  private final double qps;
  private final int burst;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  TokenBucket(RateLimit limit) {
    this(limit, System::nanoTime);
  }

  TokenBucket(RateLimit limit, LongSupplier nanoClock) {
    this.qps = limit.qps();
    this.burst = limit.burst();
    this.nanoClock = nanoClock;
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  /** Takes a token now or reserves the next one; returns how long to wait before sending. */
  synchronized Duration reserve() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * qps / 1e9);
    last = now;
    tokens -= 1;
    if (tokens >= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil(-tokens / qps * 1e9));
  }

  /** Completes when the caller may send one request. */
  Uni<Void> acquire() {
    return Uni.createFrom()
        .deferred(
            () -> {
              Duration wait = reserve();
              Uni<Void> now = Uni.createFrom().voidItem();
              return wait.isZero() ? now : now.onItem().delayIt().by(wait);
            });
  }
}
