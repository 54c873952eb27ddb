package dev.virtsaga.gateway;

import java.time.Instant;

/**
 * What one lifecycle event says about an operation.
 *
 * @param at when the event happened; orders updates of the same rank
 */
public record OperationUpdate(
    String operationId,
    OperationStatus status,
    String step,
    String errorType,
    String errorMessage,
    Instant at) {}
