package dev.virtsaga.events.observation;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.provider.ProviderHealth;
import java.time.Instant;

/**
 * How a provider endpoint answers the watcher changed: HEALTHY (answers), UNHEALTHY (answers with
 * errors), UNREACHABLE (does not answer: the orchestrator marks its VMs {@code
 * ProviderReachable=False} and overwrites none of their states), UNKNOWN (not checked yet).
 *
 * @param message why it is not healthy
 */
public record ProviderHealthChanged(
    String provider, ProviderHealth health, @Opt String message, Instant at)
    implements Observation {}
