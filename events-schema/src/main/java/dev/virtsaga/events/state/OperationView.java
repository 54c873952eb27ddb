package dev.virtsaga.events.state;

import dev.virtsaga.events.model.CommandType;
import java.time.Instant;

/** The operation in flight on a VM, as published. */
public record OperationView(
    String id, CommandType type, String step, int attempt, Instant deadline, Instant startedAt) {}
