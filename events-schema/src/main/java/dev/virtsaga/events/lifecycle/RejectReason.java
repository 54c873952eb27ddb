package dev.virtsaga.events.lifecycle;

/** Why the orchestrator refused a command. */
public enum RejectReason {
  /** Another operation runs on the VM. */
  CONFLICT,
  /** The command makes no sense in the VM's state (start a deleted VM, …). */
  INVALID_STATE,
  /** No such VM. */
  NOT_FOUND,
  /** A VM with this id exists already. */
  ALREADY_EXISTS,
  /** The command itself is malformed. */
  INVALID
}
