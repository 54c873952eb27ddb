package dev.virtsaga.events.observation;

import java.time.Instant;

/**
 * What the watcher reports on {@code vm.observations.v1}: VMs as a provider shows them, and how the
 * watch of a provider endpoint itself fares. VM observations are keyed by vmId, the others by
 * provider.
 */
public sealed interface Observation
    permits VmObserved, WatcherRelisted, CircuitChanged, ProviderHealthChanged {
  /** The provider endpoint the observation comes from ({@code libvirt}, {@code kubevirt}, …). */
  String provider();

  Instant at();
}
