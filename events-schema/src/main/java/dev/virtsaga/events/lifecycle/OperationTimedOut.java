package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** A step of an operation passed its deadline; the saga takes its timeout branch. */
public record OperationTimedOut(
    String vmId, String operationId, CommandType operation, String step, Instant at)
    implements LifecycleEvent {}
