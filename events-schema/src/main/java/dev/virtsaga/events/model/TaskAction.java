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
  SNAPSHOT_REVERT
}
