package dev.virtsaga.providers.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorTypeTest {

  @Test
  void onlyTransientTypesAreRetryable() {
    // When
    var retryable = Arrays.stream(ErrorType.values()).filter(ErrorType::isRetryable).toList();

    // Then (ARCHITECTURE.md §3, invariant 7)
    assertThat(retryable)
        .containsExactlyInAnyOrder(
            ErrorType.RETRYABLE, ErrorType.RATE_LIMIT, ErrorType.UNAVAILABLE, ErrorType.TIMEOUT);
  }

  @Test
  void theTaxonomyHasExactlyTheTenContractTypes() {
    assertThat(ErrorType.values())
        .extracting(Enum::name)
        .containsExactly(
            "NOT_FOUND",
            "INVALID_SPEC",
            "RETRYABLE",
            "UNAUTHORIZED",
            "NOT_SUPPORTED",
            "RATE_LIMIT",
            "UNAVAILABLE",
            "TIMEOUT",
            "QUOTA_EXCEEDED",
            "CONFLICT");
  }
}
