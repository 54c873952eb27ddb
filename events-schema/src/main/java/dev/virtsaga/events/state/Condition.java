package dev.virtsaga.events.state;

import dev.virtsaga.events.Opt;
import java.time.Instant;

/** A Kubernetes-style condition on a VM (ProviderReachable, Synced, Locked, …). */
public record Condition(
    String type, boolean status, @Opt String reason, @Opt String message, Instant since) {}
