package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** An operation completed. */
public record OperationSucceeded(String vmId, String operationId, CommandType operation, Instant at)
    implements LifecycleEvent {}
