package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** The orchestrator took a command; its operation starts now. */
public record CommandAccepted(String vmId, String operationId, CommandType command, Instant at)
    implements LifecycleEvent {}
