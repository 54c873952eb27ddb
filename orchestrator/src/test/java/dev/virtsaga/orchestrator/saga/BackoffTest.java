package dev.virtsaga.orchestrator.saga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(2);

  @Test
  void growsExponentiallyWithJitterAndIsCapped() {
    Random random = new Random(1);
    for (int attempt = 1; attempt <= 10; attempt++) {
      long ceiling = Math.min(100L << (attempt - 1), 2000);
      for (int i = 0; i < 50; i++) {
        long d = Backoff.delay(attempt, BASE, MAX, null, random).toMillis();
        assertThat(d).isBetween(ceiling / 2, ceiling);
      }
    }
  }

  @Test
  void jitterSpreadsRetries() {
    Random random = new Random(3);
    long distinct =
        java.util.stream.IntStream.range(0, 100)
            .mapToLong(i -> Backoff.delay(4, BASE, MAX, null, random).toMillis())
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(20);
  }

  @Test
  void neverSoonerThanTheProviderAsked() {
    assertThat(Backoff.delay(1, BASE, MAX, Duration.ofSeconds(7), new Random(1)))
        .isEqualTo(Duration.ofSeconds(7));
  }
}
