package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** An operation began; it ends by the deadline of its current step at the latest. */
public record OperationStarted(
    String vmId, String operationId, CommandType operation, Instant deadline, Instant at)
    implements LifecycleEvent {}
