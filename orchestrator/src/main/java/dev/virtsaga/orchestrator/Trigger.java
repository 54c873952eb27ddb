package dev.virtsaga.orchestrator;

/** What moves a VM from one state to another (commands and saga outcomes). */
public enum Trigger {
  /** Command: power on a stopped or failed VM. */
  START,
  /** Command: power off a running or failed VM. */
  STOP,
  /** Command: reboot a running VM. */
  REBOOT,
  /** Command: pause a running VM. */
  SUSPEND,
  /** Command: continue a suspended VM. */
  RESUME,
  /** Command: change CPUs, memory or disk of a running or stopped VM. */
  RECONFIGURE,
  /** Command: move a running or stopped VM to another host. */
  MIGRATE,
  /** Command: delete the VM; pre-empts any running operation. */
  DELETE,
  /** The create saga handed the VM to a provider. */
  PROVISION,
  /** The provider made the VM. */
  PROVISIONED,
  /** The VM is powered on. */
  STARTED,
  /** The VM is powered off. */
  STOPPED,
  /** The VM came back from a reboot. */
  REBOOTED,
  /** The VM is paused. */
  SUSPENDED,
  /** The VM runs again after a suspend. */
  RESUMED,
  /** The provider confirmed the VM is gone. */
  DELETED,
  /** The operation failed (after its compensation) or its outcome is unknown. */
  FAIL
}
