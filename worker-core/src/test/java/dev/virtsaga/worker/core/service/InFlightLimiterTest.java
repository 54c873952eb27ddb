package dev.virtsaga.worker.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InFlightLimiterTest {

  @Test
  void permitsBeyondTheLimitWaitForARelease() {
    // Given
    InFlightLimiter limiter = new InFlightLimiter(2);
    var a = limiter.acquire().toCompletableFuture();
    var b = limiter.acquire().toCompletableFuture();

    // When
    var c = limiter.acquire().toCompletableFuture();

    // Then
    assertThat(a).isCompleted();
    assertThat(b).isCompleted();
    assertThat(c).isNotCompleted();
    limiter.release();
    assertThat(c).isCompleted();
    assertThat(limiter.inFlight()).isEqualTo(2);
    limiter.release();
    limiter.release();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void theLimitMustBePositive() {
    assertThatThrownBy(() -> new InFlightLimiter(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
