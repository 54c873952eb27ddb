package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;

/**
 * The VM entered a new state.
 *
 * @param from the previous state; absent for a VM's first state
 * @param version the VM's version after the change (also the {@code sequence} extension)
 */
public record StateChanged(
    String vmId,
    @Opt VmState from,
    VmState to,
    long version,
    @Opt String operationId,
    @Opt String reason,
    Instant at)
    implements LifecycleEvent {}
