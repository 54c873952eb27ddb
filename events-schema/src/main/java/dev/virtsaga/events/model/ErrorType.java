package dev.virtsaga.events.model;

/**
 * The provider error taxonomy on the wire. Only {@link #isRetryable() retryable} types are retried
 * by sagas; the others fail the step and run its compensation.
 */
public enum ErrorType {
  NOT_FOUND(false),
  INVALID_SPEC(false),
  RETRYABLE(true),
  UNAUTHORIZED(false),
  NOT_SUPPORTED(false),
  RATE_LIMIT(true),
  UNAVAILABLE(true),
  TIMEOUT(true),
  QUOTA_EXCEEDED(false),
  CONFLICT(false);

  private final boolean retryable;

  ErrorType(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean isRetryable() {
    return retryable;
  }
}
