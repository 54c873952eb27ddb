package dev.virtsaga.gateway;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.OperationResult;
import java.time.Instant;

/**
 * An operation the gateway published a command for, as tracked in its own database.
 *
 * @param step the saga step it is at, when the orchestrator reported one
 * @param errorType why it failed or was rejected ({@code ErrorType} or {@code RejectReason} name)
 * @param result what it produced, once it succeeded (an export's location and SHA-256, a clone's
 *     vmId, a migration's host), or {@code null}
 */
public record Operation(
    String operationId,
    String tenantId,
    String vmId,
    CommandType type,
    OperationStatus status,
    String step,
    String errorType,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    OperationResult result) {

  /** An operation without a result (yet). */
  public Operation(
      String operationId,
      String tenantId,
      String vmId,
      CommandType type,
      OperationStatus status,
      String step,
      String errorType,
      String errorMessage,
      Instant createdAt,
      Instant updatedAt) {
    this(
        operationId,
        tenantId,
        vmId,
        type,
        status,
        step,
        errorType,
        errorMessage,
        createdAt,
        updatedAt,
        null);
  }
}
