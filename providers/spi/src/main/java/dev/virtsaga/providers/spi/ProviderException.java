package dev.virtsaga.providers.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** A typed provider failure: the only exception a {@link Provider} reports through its Unis. */
public class ProviderException extends RuntimeException {
  private final ErrorType type;
  private final Duration retryAfter;

  /**
   * @param type what kind of failure this is; decides whether the step is retried
   * @param message what went wrong, for operators (never contains credentials)
   * @param cause the provider SDK's exception, when there is one
   * @param retryAfter the provider's hint for when to try again, or {@code null}
   */
  public ProviderException(ErrorType type, String message, Throwable cause, Duration retryAfter) {
    super(message, cause);
    this.type = Objects.requireNonNull(type, "type");
    if (retryAfter != null && retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
    }
    this.retryAfter = retryAfter;
  }

  public ProviderException(ErrorType type, String message, Throwable cause) {
    this(type, message, cause, null);
  }

  public ProviderException(ErrorType type, String message) {
    this(type, message, null, null);
  }

  public static ProviderException notFound(String message) {
    return new ProviderException(ErrorType.NOT_FOUND, message);
  }

  public static ProviderException invalidSpec(String message) {
    return new ProviderException(ErrorType.INVALID_SPEC, message);
  }

  public static ProviderException notSupported(String message) {
    return new ProviderException(ErrorType.NOT_SUPPORTED, message);
  }

  public static ProviderException conflict(String message) {
    return new ProviderException(ErrorType.CONFLICT, message);
  }

  public static ProviderException unavailable(String message, Throwable cause) {
    return new ProviderException(ErrorType.UNAVAILABLE, message, cause);
  }

  public static ProviderException rateLimited(String message, Duration retryAfter) {
    return new ProviderException(ErrorType.RATE_LIMIT, message, null, retryAfter);
  }

  public ErrorType type() {
    return type;
  }

  /** The provider's hint for when to try again. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  public boolean isRetryable() {
    return type.isRetryable();
  }

  @Override
  public String toString() {
    return "ProviderException[" + type + "]: " + getMessage();
  }
}
