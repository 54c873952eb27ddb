package dev.virtsaga.providers.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.RateLimit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket, on a clock the test moves. */
class TokenBucketTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void aFullBucketLetsTheBurstThroughAtOnceThenSpacesRequestsByTheRate() {
    // Given 4 requests/s with a burst of 2
    TokenBucket bucket = new TokenBucket(new RateLimit(4, 2), now::get);

    // When 5 requests arrive at the same instant
    Duration[] waits = new Duration[5];
    for (int i = 0; i < waits.length; i++) {
      waits[i] = bucket.reserve();
    }

    // Then two go at once and the others are 250 ms apart
    assertThat(waits)
        .containsExactly(
            Duration.ZERO,
            Duration.ZERO,
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofMillis(750));
  }

  @Test
  void tokensRefillWithTimeButNeverBeyondTheBurst() {
    // Given an empty bucket of 10/s, burst 3
    TokenBucket bucket = new TokenBucket(new RateLimit(10, 3), now::get);
    for (int i = 0; i < 3; i++) {
      bucket.reserve();
    }

    // When a long time passes
    now.addAndGet(Duration.ofSeconds(60).toNanos());

    // Then only the burst goes at once again
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void inAnyWindowAtMostBurstPlusRateTimesWindowRequestsStart() {
    // Given 5/s, burst 2, and 40 callers at once
    TokenBucket bucket = new TokenBucket(new RateLimit(5, 2), now::get);
    long start = now.get();
    long[] startsAt = new long[40];
    for (int i = 0; i < startsAt.length; i++) {
      startsAt[i] = start + bucket.reserve().toNanos();
    }

    // Then every 1 s window holds at most 2 + 5 starts
    for (long from : startsAt) {
      long inWindow =
          java.util.Arrays.stream(startsAt)
              .filter(t -> t >= from && t < from + 1_000_000_000L)
              .count();
      assertThat(inWindow).isLessThanOrEqualTo(7);
    }
  }
}
