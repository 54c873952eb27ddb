package dev.virtsaga.watcher;

import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The circuit breaker of one provider endpoint. CLOSED: calls go through and consecutive failures
 * are counted; {@code threshold} of them open it. OPEN: no call until {@code openFor} has passed,
 * then HALF_OPEN: one probe; its success closes the breaker, its failure opens it again. A watch
 * that is merely gone (a 410) is not a failure and never reaches it. Not thread-safe: the watch
 * loop calls it from its own thread.
 */
public final class CircuitBreaker {

  /** A change of state, to publish as {@code watcher.circuit-changed}. */
  public record Transition(CircuitState from, CircuitState to, int failures, String reason) {}

  private final int threshold;
  private final Duration openFor;
  private CircuitState state = CircuitState.CLOSED;
  private int failures;
  private Instant openedAt;

  public CircuitBreaker(int threshold, Duration openFor) {
    if (threshold < 1) {
      throw new IllegalArgumentException("threshold must be at least 1, got " + threshold);
    }
    this.threshold = threshold;
    this.openFor = openFor;
  }

  public CircuitState state() {
    return state;
  }

  public int failures() {
    return failures;
  }

  /**
   * How long a caller must wait before it may call, zero when it may call now. An OPEN breaker
   * whose wait has passed turns HALF_OPEN (the transition is returned by {@link #tryCall}).
   */
  public Duration waitBeforeCall(Instant now) {
    if (state != CircuitState.OPEN) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(now, openedAt.plus(openFor));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Asks to make a call now.
   *
   * @return the transition to HALF_OPEN when this call is the probe of an OPEN breaker whose wait
   *     has passed
   * @throws IllegalStateException when the breaker is OPEN and its wait has not passed
   */
  public Optional<Transition> tryCall(Instant now) {
    if (state != CircuitState.OPEN) {
      return Optional.empty();
    }
    if (!waitBeforeCall(now).isZero()) {
      throw new IllegalStateException("the circuit is open for another " + waitBeforeCall(now));
    }
    return Optional.of(move(CircuitState.HALF_OPEN, null, now));
  }

  /** A call succeeded: the breaker closes. */
  public Optional<Transition> success(Instant now) {
    failures = 0;
    if (state == CircuitState.CLOSED) {
      return Optional.empty();
    }
    return Optional.of(move(CircuitState.CLOSED, null, now));
  }

  /** A call failed: counted; the threshold, or any failure of a probe, opens the breaker. */
  public Optional<Transition> failure(String reason, Instant now) {
    failures++;
    if (state == CircuitState.HALF_OPEN
        || (state == CircuitState.CLOSED && failures >= threshold)) {
      return Optional.of(move(CircuitState.OPEN, reason, now));
    }
    if (state == CircuitState.OPEN) {
      openedAt = now; // a call made while open (should not happen) restarts the wait
    }
    return Optional.empty();
  }

  private Transition move(CircuitState to, String reason, Instant now) {
    Transition t = new Transition(state, to, failures, reason);
    state = to;
    if (to == CircuitState.OPEN) {
      openedAt = now;
    }
    return t;
  }
}
