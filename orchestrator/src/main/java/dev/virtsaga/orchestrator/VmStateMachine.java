package dev.virtsaga.orchestrator;

import static dev.virtsaga.events.model.VmState.DELETED;
import static dev.virtsaga.events.model.VmState.DELETING;
import static dev.virtsaga.events.model.VmState.FAILED;
import static dev.virtsaga.events.model.VmState.MIGRATING;
import static dev.virtsaga.events.model.VmState.PENDING;
import static dev.virtsaga.events.model.VmState.PROVISIONING;
import static dev.virtsaga.events.model.VmState.REBOOTING;
import static dev.virtsaga.events.model.VmState.RECONFIGURING;
import static dev.virtsaga.events.model.VmState.RESUMING;
import static dev.virtsaga.events.model.VmState.RUNNING;
import static dev.virtsaga.events.model.VmState.STARTING;
import static dev.virtsaga.events.model.VmState.STOPPED;
import static dev.virtsaga.events.model.VmState.STOPPING;
import static dev.virtsaga.events.model.VmState.SUSPENDED;
import static dev.virtsaga.events.model.VmState.SUSPENDING;

import dev.virtsaga.events.model.VmState;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one VM state machine (ARCHITECTURE.md §3) as a pure table: which trigger moves which state
 * where. Anything not in the table is rejected.
 */
public final class VmStateMachine {
  private static final Map<Trigger, Map<VmState, VmState>> TABLE = new EnumMap<>(Trigger.class);

  static {
    allow(Trigger.START, STOPPED, STARTING);
    allow(Trigger.START, FAILED, STARTING);
    allow(Trigger.STOP, RUNNING, STOPPING);
    allow(Trigger.STOP, FAILED, STOPPING);
    allow(Trigger.REBOOT, RUNNING, REBOOTING);
    allow(Trigger.SUSPEND, RUNNING, SUSPENDING);
    allow(Trigger.RESUME, SUSPENDED, RESUMING);
    allow(Trigger.STOP, SUSPENDED, STOPPING);
    allow(Trigger.RECONFIGURE, RUNNING, RECONFIGURING);
    allow(Trigger.RECONFIGURE, STOPPED, RECONFIGURING);
    allow(Trigger.MIGRATE, RUNNING, MIGRATING);
    allow(Trigger.MIGRATE, STOPPED, MIGRATING);
    for (VmState s : VmState.values()) {
      if (s != DELETED && s != DELETING) {
        allow(Trigger.DELETE, s, DELETING);
      }
      if (s.isTransitional()) {
        allow(Trigger.FAIL, s, FAILED);
      }
    }
    allow(Trigger.PROVISION, PENDING, PROVISIONING);
    allow(Trigger.PROVISIONED, PROVISIONING, STARTING);
    allow(Trigger.STARTED, STARTING, RUNNING);
    allow(Trigger.STOPPED, STOPPING, STOPPED);
    allow(Trigger.REBOOTED, REBOOTING, RUNNING);
    allow(Trigger.SUSPENDED, SUSPENDING, SUSPENDED);
    allow(Trigger.RESUMED, RESUMING, RUNNING);
    allow(Trigger.DELETED, DELETING, DELETED);
  }

  private static final Map<VmState, java.util.Set<VmState>> ABORTS =
      Map.of(
          STARTING, java.util.Set.of(STOPPED, FAILED),
          STOPPING, java.util.Set.of(RUNNING, SUSPENDED, FAILED),
          REBOOTING, java.util.Set.of(RUNNING),
          SUSPENDING, java.util.Set.of(RUNNING),
          RESUMING, java.util.Set.of(SUSPENDED),
          RECONFIGURING, java.util.Set.of(RUNNING, STOPPED),
          MIGRATING, java.util.Set.of(RUNNING, STOPPED));

  private VmStateMachine() {}

  private static void allow(Trigger trigger, VmState from, VmState to) {
    TABLE.computeIfAbsent(trigger, t -> new EnumMap<>(VmState.class)).put(from, to);
  }

  /** Where {@code trigger} takes a VM in state {@code from}; empty when it is not allowed. */
  public static Optional<VmState> next(VmState from, Trigger trigger) {
    return Optional.ofNullable(TABLE.getOrDefault(trigger, Map.of()).get(from));
  }

  /**
   * Whether an operation may return the VM from {@code from} to the stable state it started in:
   * after a clean failure (the provider changed nothing), or as the normal end of an operation that
   * does not change the power state (reconfigure, migrate).
   */
  public static boolean canAbort(VmState from, VmState origin) {
    return ABORTS.getOrDefault(from, java.util.Set.of()).contains(origin);
  }
}
