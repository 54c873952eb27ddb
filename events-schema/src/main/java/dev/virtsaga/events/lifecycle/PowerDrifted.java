package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;

/**
 * The hypervisor shows the VM in another power state than its state implies, with no operation
 * running: someone or something changed it behind VirtSaga's back. What follows depends on the VM's
 * drift policy.
 *
 * @param state the VM's state when the drift was seen
 * @param expected the power that state implies
 * @param observed the power the provider reports
 * @param operationId ENFORCE: the corrective operation started; otherwise absent
 */
public record PowerDrifted(
    String vmId,
    VmState state,
    PowerState expected,
    PowerState observed,
    DriftPolicy policy,
    @Opt String operationId,
    Instant at)
    implements LifecycleEvent {}
