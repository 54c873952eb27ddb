package dev.virtsaga.events.model;

/** One provider call a worker performs for a saga step. */
public enum TaskAction {
  CREATE,
  DELETE,
  POWER_ON,
  POWER_OFF,
  SHUTDOWN_GRACEFUL,
  REBOOT,
  SUSPEND,
  RESUME,
  RECONFIGURE,
  SNAPSHOT_CREATE,
  SNAPSHOT_DELETE,
  SNAPSHOT_REVERT,
  /** Make the clone described by the task's {@code cloneTo}. */
  CLONE,
  /** Remove the clone described by the task's {@code cloneTo} (compensation of CLONE). */
  CLONE_DISCARD,
  /** Move the VM to {@code targetHost}; reports progress until it is there. */
  MIGRATE,
  /** Cancel the VM's running migration; reports the host the VM ends up on. */
  MIGRATE_CANCEL,
  /** Write a disk as the task's {@code export} says; reports its SHA-256. */
  DISK_EXPORT
}
