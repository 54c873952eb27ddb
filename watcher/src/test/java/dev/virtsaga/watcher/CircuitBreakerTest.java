package dev.virtsaga.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void failuresBelowTheThresholdKeepItClosedAndASuccessForgetsThem() {
    CircuitBreaker b = new CircuitBreaker(3, Duration.ofSeconds(10));
    assertThat(b.failure("x", T0)).isEmpty();
    assertThat(b.failure("x", T0)).isEmpty();
    assertThat(b.success(T0)).isEmpty();
    assertThat(b.failures()).isZero();
    assertThat(b.failure("x", T0)).isEmpty();
    assertThat(b.state()).isEqualTo(CircuitState.CLOSED);
    assertThat(b.waitBeforeCall(T0)).isZero();
  }

  @Test
  void theThresholdOpensItAndNoCallGoesThroughUntilTheWaitHasPassed() {
    CircuitBreaker b = new CircuitBreaker(2, Duration.ofSeconds(10));
    b.failure("refused", T0);
    var opened = b.failure("refused", T0);
    assertThat(opened)
        .contains(
            new CircuitBreaker.Transition(CircuitState.CLOSED, CircuitState.OPEN, 2, "refused"));
    assertThat(b.waitBeforeCall(T0.plusSeconds(4))).isEqualTo(Duration.ofSeconds(6));
    assertThatThrownBy(() -> b.tryCall(T0.plusSeconds(4)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(b.tryCall(T0.plusSeconds(10)))
        .contains(
            new CircuitBreaker.Transition(CircuitState.OPEN, CircuitState.HALF_OPEN, 2, null));
  }

  @Test
  void aSuccessfulProbeClosesItAndAFailedOneOpensItAgain() {
    CircuitBreaker b = new CircuitBreaker(1, Duration.ofSeconds(10));
    b.failure("down", T0);
    b.tryCall(T0.plusSeconds(10));
    var reopened = b.failure("still down", T0.plusSeconds(11));
    assertThat(reopened.orElseThrow().to()).isEqualTo(CircuitState.OPEN);
    assertThat(b.waitBeforeCall(T0.plusSeconds(11))).isEqualTo(Duration.ofSeconds(10));
    b.tryCall(T0.plusSeconds(21));
    var closed = b.success(T0.plusSeconds(21));
    assertThat(closed.orElseThrow())
        .isEqualTo(
            new CircuitBreaker.Transition(CircuitState.HALF_OPEN, CircuitState.CLOSED, 0, null));
    assertThat(b.tryCall(T0.plusSeconds(21))).isEmpty();
  }
}
