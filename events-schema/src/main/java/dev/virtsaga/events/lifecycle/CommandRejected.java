package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** The orchestrator refused a command; nothing changed. */
public record CommandRejected(
    String vmId,
    String operationId,
    CommandType command,
    RejectReason reason,
    String message,
    Instant at)
    implements LifecycleEvent {}
