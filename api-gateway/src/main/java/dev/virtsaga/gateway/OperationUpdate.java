package dev.virtsaga.gateway;

import dev.virtsaga.events.model.OperationResult;
import java.time.Instant;

/**
 * What one lifecycle event says about an operation.
 *
 * @param at when the event happened; orders updates of the same rank
 * @param result what a succeeded operation produced, or {@code null}
 */
public record OperationUpdate(
    String operationId,
    OperationStatus status,
    String step,
    String errorType,
    String errorMessage,
    Instant at,
    OperationResult result) {

  /** An update that carries no result. */
  public OperationUpdate(
      String operationId,
      OperationStatus status,
      String step,
      String errorType,
      String errorMessage,
      Instant at) {
    this(operationId, status, step, errorType, errorMessage, at, null);
  }
}
