package dev.virtsaga.events.model;

/**
 * What the orchestrator does when a VM's observed power differs from its state while no operation
 * runs (ARCHITECTURE.md §3, invariant 4). Each raises {@code vm.power.drifted}.
 */
public enum DriftPolicy {
  /** The state follows the hypervisor (a VM shut down from inside becomes STOPPED). */
  ADOPT,
  /** A corrective operation brings the VM back to its state (powers it on or off again). */
  ENFORCE,
  /** Nothing changes; the drift is only reported. */
  ALERT
}
