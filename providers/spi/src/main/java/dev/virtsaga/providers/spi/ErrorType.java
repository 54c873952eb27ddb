package dev.virtsaga.providers.spi;

/**
 * Why a provider call failed. Only {@link #isRetryable() retryable} types are retried (with
 * backoff, honouring {@link ProviderException#retryAfter()}); the others fail the saga step, which
 * then compensates (ARCHITECTURE.md §3, invariant 7).
 */
public enum ErrorType {
  /** The VM (or another object the call names) does not exist. */
  NOT_FOUND(false),
  /** The request can never succeed as given (bad sizes, malformed definition, …). */
  INVALID_SPEC(false),
  /** A transient failure of unknown cause; trying again may work. */
  RETRYABLE(true),
  /** Credentials are missing, wrong or lack the permission. */
  UNAUTHORIZED(false),
  /** The provider cannot do this at all (explicitly, never a silent no-op). */
  NOT_SUPPORTED(false),
  /** The provider throttled us; see {@link ProviderException#retryAfter()}. */
  RATE_LIMIT(true),
  /** The provider cannot be reached or is not ready. */
  UNAVAILABLE(true),
  /** The call or the operation did not finish in time. */
  TIMEOUT(true),
  /** A quota or capacity limit forbids the request. */
  QUOTA_EXCEEDED(false),
  /** The object is in a state that forbids the call (already running, busy, name taken, …). */
  CONFLICT(false);

  private final boolean retryable;

  ErrorType(boolean retryable) {
    this.retryable = retryable;
  }

  public boolean isRetryable() {
    return retryable;
  }
}
