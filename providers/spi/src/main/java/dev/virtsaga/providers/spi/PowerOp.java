package dev.virtsaga.providers.spi;

/** A power operation on a VM. */
public enum PowerOp {
  /** Start the VM. */
  ON,
  /** Cut the power (hard stop). */
  OFF,
  /** Ask the guest OS to shut down (ACPI); the VM is OFF only once the guest has stopped. */
  SHUTDOWN_GRACEFUL,
  /** Restart the guest. */
  REBOOT,
  /** Pause the VM, keeping its memory. Requires {@link Capability#SUSPEND_RESUME}. */
  SUSPEND,
  /** Resume a suspended VM. Requires {@link Capability#SUSPEND_RESUME}. */
  RESUME
}
