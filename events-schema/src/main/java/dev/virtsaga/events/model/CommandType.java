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
  /** Copy the VM (now, or as in one of its snapshots) into a new, stopped VM. */
  CLONE,
  /** Move the VM to another host of its provider. */
  MIGRATE,
  /** Cancel the running migration; the VM stays where it was. */
  ABORT,
  /** Write one of the VM's disks to a URL, with its SHA-256. */
  DISK_EXPORT,
  DELETE,
  /**
   * Take over a VM the watcher found carrying a VirtSaga tag the orchestrator does not know (left
   * by a lost database, another installation, a restore): it becomes managed in the state its power
   * shows.
   */
  ADOPT
}
