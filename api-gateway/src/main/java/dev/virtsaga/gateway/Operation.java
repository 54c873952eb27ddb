package dev.virtsaga.gateway;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/**
 * An operation the gateway published a command for, as tracked in its own database.
 *
 * @param step the saga step it is at, when the orchestrator reported one
 * @param errorType why it failed or was rejected ({@code ErrorType} or {@code RejectReason} name)
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
    Instant updatedAt) {}
