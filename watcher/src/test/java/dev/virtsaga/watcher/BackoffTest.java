package dev.virtsaga.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void theCeilingDoublesPerFailureUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, new Random(1));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(200));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(400));
    assertThat(b.next()).isEqualTo(Duration.ofMillis(800));
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      assertThat(b.next()).isEqualTo(Duration.ofSeconds(1)); // no overflow after many failures
    }
    assertThat(b.failures()).isEqualTo(105);
  }

  @Test
  void aResetStartsOverFromTheInitialWait() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, new Random(1));
    b.next();
    b.next();
    b.reset();
    assertThat(b.failures()).isZero();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void jitterSpreadsWaitsBelowTheCeilingSoWatchersDoNotReconnectInLockstep() {
    Set<Long> waits = new HashSet<>();
    for (int seed = 0; seed < 50; seed++) {
      Backoff b =
          new Backoff(Duration.ofMillis(1000), Duration.ofSeconds(8), 0.5, new Random(seed));
      long ms = b.next().toMillis();
      assertThat(ms).isBetween(500L, 1000L);
      waits.add(ms);
    }
    assertThat(waits).hasSizeGreaterThan(30); // in lockstep it would be 1
  }

  @Test
  void nonsenseSettingsAreRefused() {
    Random r = new Random();
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0.5, r))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.5, r))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5, r))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
