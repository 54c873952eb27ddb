package dev.virtsaga.orchestrator.saga;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmState;

/**
 * The steps sagas are made of: each one provider task, the state the VM shows while it runs, and
 * the power state that proves it done.
 */
public enum Steps {
  PROVISION("provision", TaskAction.CREATE, VmState.PROVISIONING, null),
  START("start", TaskAction.POWER_ON, VmState.STARTING, PowerState.ON),
  SHUTDOWN("shutdown", TaskAction.SHUTDOWN_GRACEFUL, VmState.STOPPING, PowerState.OFF),
  POWER_OFF("power-off", TaskAction.POWER_OFF, VmState.STOPPING, PowerState.OFF),
  REBOOT("reboot", TaskAction.REBOOT, VmState.REBOOTING, null),
  SUSPEND("suspend", TaskAction.SUSPEND, VmState.SUSPENDING, PowerState.PAUSED),
  RESUME("resume", TaskAction.RESUME, VmState.RESUMING, PowerState.ON),
  RECONFIGURE("reconfigure", TaskAction.RECONFIGURE, VmState.RECONFIGURING, null),
  SNAPSHOT_CREATE("snapshot-create", TaskAction.SNAPSHOT_CREATE, null, null),
  SNAPSHOT_DELETE("snapshot-delete", TaskAction.SNAPSHOT_DELETE, null, null),
  SNAPSHOT_REVERT("snapshot-revert", TaskAction.SNAPSHOT_REVERT, null, null),
  CLONE("clone", TaskAction.CLONE, null, null),
  /** Compensation of a failed clone, or the first step of a delete that pre-empts one. */
  CLONE_DISCARD("clone-discard", TaskAction.CLONE_DISCARD, null, null),
  DISK_EXPORT("disk-export", TaskAction.DISK_EXPORT, null, null),
  MIGRATE("migrate", TaskAction.MIGRATE, VmState.MIGRATING, null),
  /**
   * After an abort or a timeout of a migration, or the first step of a delete that pre-empts one.
   */
  MIGRATE_CANCEL("migrate-cancel", TaskAction.MIGRATE_CANCEL, null, null),
  DELETE("delete", TaskAction.DELETE, VmState.DELETING, null),
  /** Compensation of a failed create: remove whatever the provider made. */
  ROLLBACK("rollback-delete", TaskAction.DELETE, null, null);

  private final String id;
  private final TaskAction action;
  private final VmState during;
  private final PowerState provenBy;

  Steps(String id, TaskAction action, VmState during, PowerState provenBy) {
    this.id = id;
    this.action = action;
    this.during = during;
    this.provenBy = provenBy;
  }

  public String id() {
    return id;
  }

  public TaskAction action() {
    return action;
  }

  /** The state the VM shows during the step; null = the state does not change. */
  public VmState during() {
    return during;
  }

  /** A power state that shows the step's goal is reached even if the call itself failed. */
  public PowerState provenBy() {
    return provenBy;
  }

  public static Steps byId(String id) {
    for (Steps s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown step " + id);
  }
}
