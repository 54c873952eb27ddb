package dev.virtsaga.events.model;

/** What an operator asks of a VM; each command type starts one saga (an operation). */
public enum CommandType {
  CREATE,
  START,
  STOP,
  REBOOT,
  SUSPEND,
  RESUME,
  RECONFIGURE,
  SNAPSHOT_CREATE,
  SNAPSHOT_DELETE,
  SNAPSHOT_REVERT,
  DELETE
}
