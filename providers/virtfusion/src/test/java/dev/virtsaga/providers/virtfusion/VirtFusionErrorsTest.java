package dev.virtsaga.providers.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Statuses and transport failures as error types. */
class VirtFusionErrorsTest {

  private static ErrorType typeOf(int status) {
    return VirtFusionErrors.ofStatus("GET /x", status, null, null).type();
  }

  @Test
  void eachStatusHasItsType() {
    assertThat(typeOf(401)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(typeOf(403)).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(typeOf(404)).isEqualTo(ErrorType.NOT_FOUND);
    assertThat(typeOf(409)).isEqualTo(ErrorType.CONFLICT);
    assertThat(typeOf(422)).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(typeOf(400)).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(typeOf(429)).isEqualTo(ErrorType.RATE_LIMIT);
    assertThat(typeOf(503)).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(typeOf(502)).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(typeOf(500)).isEqualTo(ErrorType.RETRYABLE);
  }

  @Test
  void aValidationAnswerNamesItsErrors() {
    // When
    ProviderException e =
        VirtFusionErrors.ofStatus(
            "POST /servers",
            422,
            "{\"errors\":[\"Invalid network profile. The specified profile is not in use\"]}",
            null);

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(e.getMessage())
        .isEqualTo(
            "POST /servers answered 422: Invalid network profile. The specified profile is not in"
                + " use");
  }

  @Test
  void fieldErrorsAndMessagesAreReadToo() {
    assertThat(VirtFusionErrors.detail("{\"errors\":{\"memory\":[\"too small\"]}}"))
        .isEqualTo("memory: too small");
    assertThat(VirtFusionErrors.detail("{\"msg\":\"server not found\"}"))
        .isEqualTo("server not found");
    assertThat(VirtFusionErrors.detail("<html>oops</html>")).isEqualTo("<html>oops</html>");
    assertThat(VirtFusionErrors.detail("x".repeat(400))).hasSize(301);
  }

  @Test
  void retryAfterIsSecondsOrADate() {
    Clock clock = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    assertThat(VirtFusionErrors.retryAfter("3", clock)).isEqualTo(Duration.ofSeconds(3));
    assertThat(VirtFusionErrors.retryAfter("Wed, 01 Jan 2025 00:00:07 GMT", clock))
        .isEqualTo(Duration.ofSeconds(7));
    assertThat(VirtFusionErrors.retryAfter("soon", clock)).isNull();
    assertThat(VirtFusionErrors.retryAfter(null, clock)).isNull();
  }

  @Test
  void timeoutsAreTimeoutAndBrokenConnectionsUnavailable() {
    assertThat(VirtFusionErrors.ofFailure("GET /x", new TimeoutException("slow")).type())
        .isEqualTo(ErrorType.TIMEOUT);
    assertThat(VirtFusionErrors.ofFailure("GET /x", new IOException("reset")).type())
        .isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(VirtFusionErrors.neverSent(new ConnectException("refused"))).isTrue();
    assertThat(VirtFusionErrors.neverSent(new IOException("reset"))).isFalse();
  }
}
