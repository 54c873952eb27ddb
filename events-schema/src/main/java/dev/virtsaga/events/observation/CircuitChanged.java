package dev.virtsaga.events.observation;

import dev.virtsaga.events.Opt;
import java.time.Instant;

/**
 * The watcher's circuit breaker for a provider endpoint changed state: OPEN after repeated failures
 * (no calls until a wait passes), HALF_OPEN while one probe tries, CLOSED when calls succeed again.
 *
 * @param failures consecutive failures counted when it changed
 * @param reason the last failure, when it opened
 */
public record CircuitChanged(
    String provider,
    CircuitState from,
    CircuitState to,
    int failures,
    @Opt String reason,
    Instant at)
    implements Observation {

  /** The circuit breaker's states. */
  public enum CircuitState {
    CLOSED,
    OPEN,
    HALF_OPEN
  }
}
