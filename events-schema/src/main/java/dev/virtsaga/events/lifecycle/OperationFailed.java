package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.ErrorType;
import java.time.Instant;

/** An operation failed (after its compensation, if it had one). */
public record OperationFailed(
    String vmId,
    String operationId,
    CommandType operation,
    @Opt String step,
    ErrorType errorType,
    String message,
    Instant at)
    implements LifecycleEvent {}
