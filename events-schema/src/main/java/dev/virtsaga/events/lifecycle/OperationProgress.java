package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** An operation moved to a new step (or retried one). */
public record OperationProgress(
    String vmId,
    String operationId,
    CommandType operation,
    String step,
    int attempt,
    Instant deadline,
    @Opt String message,
    Instant at)
    implements LifecycleEvent {}
