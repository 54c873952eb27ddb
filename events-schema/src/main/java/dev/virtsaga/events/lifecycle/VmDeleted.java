package dev.virtsaga.events.lifecycle;

import java.time.Instant;

/** The VM is gone from its hypervisor (confirmed by the provider) and from VirtSaga. */
public record VmDeleted(String vmId, String operationId, Instant at) implements LifecycleEvent {}
