package dev.virtsaga.providers.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProviderExceptionTest {

  @Test
  void carriesTypeMessageCauseAndRetryHint() {
    // Given
    var cause = new IllegalStateException("429");

    // When
    var e = new ProviderException(ErrorType.RATE_LIMIT, "slow down", cause, Duration.ofSeconds(3));

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMIT);
    assertThat(e.getMessage()).isEqualTo("slow down");
    assertThat(e.getCause()).isSameAs(cause);
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void factoriesSetTheirType() {
    assertThat(ProviderException.notFound("x").type()).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(ProviderException.invalidSpec("x").type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(ProviderException.notSupported("x").type()).isEqualTo(ErrorType.NOT_SUPPORTED);
    assertThat(ProviderException.conflict("x").type()).isEqualTo(ErrorType.CONFLICT);
    assertThat(ProviderException.unavailable("x", null).type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(ProviderException.notFound("x").retryAfter()).isEmpty();
    assertThat(ProviderException.notFound("x").isRetryable()).isFalse();
  }

  @Test
  void rejectsANegativeRetryHintAndAMissingType() {
    assertThatThrownBy(
            () -> new ProviderException(ErrorType.RATE_LIMIT, "x", null, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProviderException(null, "x"))
        .isInstanceOf(NullPointerException.class);
  }
}
