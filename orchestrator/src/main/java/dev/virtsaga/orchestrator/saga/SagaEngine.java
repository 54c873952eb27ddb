package dev.virtsaga.orchestrator.saga;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.SnapshotView.SnapshotPhase;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.orchestrator.Operation;
import dev.virtsaga.orchestrator.OperationArgs;
import dev.virtsaga.orchestrator.Trigger;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.VmStateMachine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The sagas, as pure logic: given a VM and what just happened (a command, a task outcome, a timer)
 * decide the VM's next version, the tasks to send and the events to publish. No I/O, no clock, no
 * randomness of its own, so every path is unit-tested.
 *
 * <pre>
 * create : provision → start                         ; failure/timeout: rollback-delete, then FAILED
 * start  : start                                     ; failure: back to origin; timeout: FAILED
 * stop   : shutdown (graceful) → power-off at its deadline or on its failure ; power-off as start
 * reboot : reboot                                    ; failure: RUNNING; timeout: FAILED
 * suspend: suspend / resume: resume                  ; failure: back to origin; timeout: FAILED
 * reconfigure: reconfigure (RUNNING/STOPPED → RECONFIGURING → back, with the new spec)
 *                                                    ; failure: back, spec unchanged; timeout: FAILED
 * delete : delete (pre-empts any operation)          ; NOT_FOUND counts as deleted; else FAILED
 *          after a clone: clone-discard → delete ; after a migration: migrate-cancel → delete
 * snapshot-create / -delete / -revert, clone, disk-export: the VM is locked, its state stays
 *          clone failure/timeout: clone-discard, then the operation fails
 * migrate: migrate (RUNNING/STOPPED → MIGRATING → back, on the new host)
 *          failure: back, same host; timeout or abort: migrate-cancel, then back where it is
 * adopt  : no step: the VM is made in the state its observed power implies
 * </pre>
 *
 * {@link DriftEngine} decides what the watcher's observations do; it ends a step an observation
 * proves done, and starts the corrective operations of drift policy ENFORCE, through this engine.
 *
 * <p>Retryable errors retry the step with exponential backoff and jitter (honouring retryAfter)
 * while attempts and the step's deadline allow.
 */
public final class SagaEngine {
  private final SagaSettings settings;
  private final RandomGenerator random;

  public SagaEngine(SagaSettings settings, RandomGenerator random) {
    this.settings = settings;
    this.random = random;
  }

  // ---------------------------------------------------------------- commands

  /**
   * Handles a command.
   *
   * @param current the VM, or null when none with that id exists
   */
  public Decision onCommand(Vm current, VmCommand cmd, Instant now) {
    if (cmd.type() == CommandType.CREATE) {
      return create(current, cmd, now);
    }
    if (cmd.type() == CommandType.ADOPT) {
      return adopt(current, cmd, now);
    }
    if (current == null || current.state() == VmState.DELETED) {
      return reject(cmd, RejectReason.NOT_FOUND, "no VM " + cmd.vmId(), now);
    }
    if (current.operation() != null && current.operation().id().equals(cmd.operationId())) {
      return Decision.none(); // the same command again: already under way
    }
    if (cmd.type() == CommandType.DELETE) {
      return delete(current, cmd, now);
    }
    if (cmd.type() == CommandType.ABORT) {
      return abort(current, cmd, now);
    }
    if (current.operation() != null) {
      return reject(
          cmd,
          RejectReason.CONFLICT,
          "operation "
              + current.operation().id()
              + " ("
              + current.operation().type()
              + ") is running",
          now);
    }
    if (cmd.type() == CommandType.CLONE || cmd.type() == CommandType.DISK_EXPORT) {
      return transfer(current, cmd, now);
    }
    if (Vm.SUB_RESOURCE_OPERATIONS.contains(cmd.type())) {
      return snapshot(current, cmd, now);
    }
    Trigger trigger =
        switch (cmd.type()) {
          case START -> Trigger.START;
          case STOP -> Trigger.STOP;
          case REBOOT -> Trigger.REBOOT;
          case SUSPEND -> Trigger.SUSPEND;
          case RESUME -> Trigger.RESUME;
          case RECONFIGURE -> Trigger.RECONFIGURE;
          case MIGRATE -> Trigger.MIGRATE;
          default -> throw new IllegalStateException("unhandled command " + cmd.type());
        };
    if (VmStateMachine.next(current.state(), trigger).isEmpty()) {
      return reject(
          cmd,
          RejectReason.INVALID_STATE,
          "cannot " + cmd.type().name().toLowerCase() + " a VM that is " + current.state(),
          now);
    }
    if (cmd.type() == CommandType.RECONFIGURE) {
      String invalid = invalidReconfiguration(current.spec(), cmd.spec());
      if (invalid != null) {
        return reject(cmd, RejectReason.INVALID, invalid, now);
      }
    }
    if (cmd.type() == CommandType.MIGRATE) {
      if (cmd.targetHost() == null || cmd.targetHost().isBlank()) {
        return reject(cmd, RejectReason.INVALID, "migrate needs a target host", now);
      }
      if (cmd.targetHost().equals(current.spec().host())) {
        return reject(
            cmd, RejectReason.INVALID, "the VM is on host " + cmd.targetHost() + " already", now);
      }
    }
    Change c = new Change(current, now);
    begin(c, cmd, trigger, true);
    return c.decision();
  }

  /**
   * Starts the operation of a power, reconfigure or migrate command on {@code c}'s VM (whose state
   * allows {@code trigger}): its events, its first state and its first task.
   *
   * @param accepted whether a command asked for it ({@code vm.command.accepted} first)
   */
  private void begin(Change c, VmCommand cmd, Trigger trigger, boolean accepted) {
    Vm current = c.vm;
    Instant now = c.now;
    Steps first =
        switch (cmd.type()) {
          case START -> Steps.START;
          case RECONFIGURE -> Steps.RECONFIGURE;
          case REBOOT -> Steps.REBOOT;
          case SUSPEND -> Steps.SUSPEND;
          case RESUME -> Steps.RESUME;
          case MIGRATE -> Steps.MIGRATE;
          default ->
              Boolean.TRUE.equals(cmd.force()) || current.state() == VmState.SUSPENDED
                  ? Steps.POWER_OFF
                  : Steps.SHUTDOWN;
        };
    Operation op =
        new Operation(
            cmd.operationId(),
            cmd.type(),
            first.id(),
            1,
            now.plus(timeout(first, cmd)),
            now,
            current.state(),
            false,
            null,
            null,
            cmd.gracefulTimeoutSeconds(),
            switch (cmd.type()) {
              case RECONFIGURE -> keepDriftPolicy(current.spec(), cmd.spec());
              case MIGRATE -> current.spec().onHost(cmd.targetHost());
              default -> null;
            },
            null);
    if (accepted) {
      c.accept(cmd, op);
    } else {
      c.started(op);
    }
    c.dispatch(trigger, first, op);
  }

  /** A reconfiguration keeps the VM's drift policy unless the new spec names one. */
  private static VmSpec keepDriftPolicy(VmSpec current, VmSpec target) {
    return target.driftPolicy() == null && current.driftPolicy() != null
        ? target.withDriftPolicy(current.driftPolicy())
        : target;
  }

  /** Why a reconfiguration cannot be taken; null when it can. */
  private static String invalidReconfiguration(VmSpec current, VmSpec target) {
    if (target == null) {
      return "reconfigure needs the spec the VM should get";
    }
    if (!target.provider().equals(current.provider()) || !target.name().equals(current.name())) {
      return "reconfigure changes sizes only, not the name or provider";
    }
    if (target.diskGiB() < current.diskGiB()) {
      return "a disk cannot shrink ("
          + current.diskGiB()
          + " GiB now, "
          + target.diskGiB()
          + " asked)";
    }
    return null;
  }

  private Decision create(Vm current, VmCommand cmd, Instant now) {
    if (current != null) {
      if (cmd.operationId().equals(current.lastOperationId())) {
        return Decision.none(); // the same create again
      }
      return reject(cmd, RejectReason.ALREADY_EXISTS, "VM " + cmd.vmId() + " exists", now);
    }
    if (cmd.spec() == null) {
      return reject(cmd, RejectReason.INVALID, "create needs a spec", now);
    }
    Operation op =
        new Operation(
            cmd.operationId(),
            CommandType.CREATE,
            Steps.PROVISION.id(),
            1,
            now.plus(settings.provisionTimeout()),
            now,
            VmState.PENDING,
            false,
            null,
            null,
            null,
            null,
            null);
    Vm pending =
        new Vm(
            cmd.vmId(),
            cmd.tenantId(),
            cmd.spec(),
            VmState.PENDING,
            op,
            null,
            PowerState.UNKNOWN,
            List.of(),
            List.of(),
            op.id(),
            null,
            0,
            now,
            now);
    Change c = new Change(pending, now);
    c.created();
    c.accept(cmd, op);
    c.dispatch(Trigger.PROVISION, Steps.PROVISION, op);
    return c.decision();
  }

  /**
   * Adopt: a VM the watcher found on a provider and VirtSaga does not manage (or manages no longer)
   * becomes a VM of its own, in the state its observed power implies, with nothing left to do.
   */
  private Decision adopt(Vm current, VmCommand cmd, Instant now) {
    if (current != null && current.state() != VmState.DELETED) {
      if (cmd.operationId().equals(current.lastOperationId())) {
        return Decision.none(); // the same adopt again
      }
      return reject(cmd, RejectReason.CONFLICT, "VM " + cmd.vmId() + " exists", now);
    }
    if (cmd.spec() == null || cmd.adopt() == null || cmd.adopt().power() == null) {
      return reject(cmd, RejectReason.INVALID, "adopt needs a spec and the observed power", now);
    }
    VmState state = DriftEngine.stateOf(cmd.adopt().power());
    if (state == null) {
      return reject(
          cmd,
          RejectReason.INVALID,
          "a VM whose power is " + cmd.adopt().power() + " cannot be adopted",
          now);
    }
    Vm adopted =
        new Vm(
            cmd.vmId(),
            cmd.tenantId(),
            cmd.spec(),
            state,
            null,
            cmd.adopt().providerRef(),
            cmd.adopt().power(),
            List.of(),
            cmd.adopt().ips(),
            cmd.operationId(),
            null,
            // a VM adopted again after its deletion continues its sequence
            current == null ? 1 : current.version() + 1,
            now,
            now);
    return new Decision(
        adopted,
        List.of(),
        List.of(
            new CommandAccepted(adopted.id(), cmd.operationId(), cmd.type(), now),
            new OperationStarted(adopted.id(), cmd.operationId(), cmd.type(), now, now),
            new StateChanged(
                adopted.id(), null, state, adopted.version(), cmd.operationId(), "adopted", now),
            new OperationSucceeded(adopted.id(), cmd.operationId(), cmd.type(), now)));
  }

  // ---------------------------------------------------------------- observations

  /**
   * An observation proved the current step's goal reached (its {@link Steps#provenBy() power}): the
   * step ends as its task's success would, and the task's own report, when it comes, finds the
   * operation over and is ignored.
   *
   * @param seen the VM with the observation recorded
   * @param seenAt when the power was observed
   */
  Decision proven(Vm seen, Instant seenAt, Instant now) {
    Change c = new Change(seen, now);
    c.seenAt = seenAt;
    return succeeded(c, Steps.byId(seen.operation().step()), null);
  }

  /**
   * Drift policy ENFORCE: a corrective operation brings the VM back to the power its state implies,
   * run like the command saga of {@code type} (a stop is forced). The VM first takes the state the
   * observed power implies ({@code observed}) when its own does not allow the operation.
   *
   * @param seen the VM with the observation recorded, no operation running
   * @param drift the {@code vm.power.drifted} that names the operation
   */
  Decision enforce(Vm seen, PowerDrifted drift, VmState observed, CommandType type, Instant now) {
    Change c = new Change(seen, now);
    c.events.add(drift);
    Trigger trigger =
        switch (type) {
          case START -> Trigger.START;
          case STOP -> Trigger.STOP;
          case SUSPEND -> Trigger.SUSPEND;
          case RESUME -> Trigger.RESUME;
          default -> throw new IllegalArgumentException("no correction by " + type);
        };
    if (VmStateMachine.next(c.vm.state(), trigger).isEmpty()) {
      c.drifted(observed, drift.operationId(), DriftEngine.DRIFT);
    }
    VmCommand cmd =
        new VmCommand(
            drift.operationId(),
            seen.id(),
            seen.tenantId(),
            type,
            now,
            null,
            type == CommandType.STOP ? Boolean.TRUE : null,
            null,
            null);
    begin(c, cmd, trigger, false);
    return c.decision();
  }

  /** Snapshot create / delete / revert: the VM is locked, its state does not change. */
  private Decision snapshot(Vm current, VmCommand cmd, Instant now) {
    if (!SNAPSHOTTABLE.contains(current.state())) {
      return reject(
          cmd, RejectReason.INVALID_STATE, "cannot snapshot a VM that is " + current.state(), now);
    }
    String sid = cmd.snapshotId();
    if (sid == null || sid.isBlank()) {
      return reject(cmd, RejectReason.INVALID, "a snapshot command needs a snapshotId", now);
    }
    SnapshotView existing =
        current.snapshots().stream().filter(s -> s.id().equals(sid)).findFirst().orElse(null);
    List<SnapshotView> snapshots = new ArrayList<>(current.snapshots());
    Steps step;
    switch (cmd.type()) {
      case SNAPSHOT_CREATE -> {
        if (existing != null) {
          return reject(cmd, RejectReason.ALREADY_EXISTS, "snapshot " + sid + " exists", now);
        }
        String name = cmd.snapshotName() == null ? sid : cmd.snapshotName();
        snapshots.add(new SnapshotView(sid, name, SnapshotPhase.IN_PROGRESS, now, null));
        step = Steps.SNAPSHOT_CREATE;
      }
      case SNAPSHOT_DELETE, SNAPSHOT_REVERT -> {
        if (existing == null) {
          return reject(cmd, RejectReason.NOT_FOUND, "no snapshot " + sid, now);
        }
        if (cmd.type() == CommandType.SNAPSHOT_REVERT
            && existing.phase() != SnapshotPhase.SUCCEEDED) {
          return reject(
              cmd, RejectReason.INVALID_STATE, "snapshot " + sid + " is " + existing.phase(), now);
        }
        if (cmd.type() == CommandType.SNAPSHOT_DELETE) {
          snapshots.set(
              snapshots.indexOf(existing), withPhase(existing, SnapshotPhase.DELETING, null));
          step = Steps.SNAPSHOT_DELETE;
        } else {
          step = Steps.SNAPSHOT_REVERT;
        }
      }
      default -> throw new IllegalStateException("not a snapshot command: " + cmd.type());
    }
    Operation op =
        new Operation(
            cmd.operationId(),
            cmd.type(),
            step.id(),
            1,
            now.plus(settings.powerTimeout()),
            now,
            current.state(),
            false,
            null,
            null,
            null,
            null,
            sid);
    Change c = new Change(current.withSnapshots(snapshots), now);
    c.vm = c.vm.locked(op, step.id() + " " + sid, now);
    c.accept(cmd, op);
    c.send(step, op);
    return c.decision();
  }

  /** Clone and disk export: the VM is locked, its state does not change. */
  private Decision transfer(Vm current, VmCommand cmd, Instant now) {
    String what = cmd.type() == CommandType.CLONE ? "clone" : "export a disk of";
    if (!SNAPSHOTTABLE.contains(current.state())) {
      return reject(
          cmd,
          RejectReason.INVALID_STATE,
          "cannot " + what + " a VM that is " + current.state(),
          now);
    }
    Steps step;
    String snapshotId;
    String subject;
    OperationArgs args;
    if (cmd.type() == CommandType.CLONE) {
      CloneArgs clone = cmd.cloneTo();
      if (clone == null || isBlank(clone.targetVmId()) || isBlank(clone.name())) {
        return reject(cmd, RejectReason.INVALID, "clone needs the new VM's id and name", now);
      }
      if (clone.targetVmId().equals(current.id())) {
        return reject(cmd, RejectReason.INVALID, "a VM cannot be cloned onto itself", now);
      }
      step = Steps.CLONE;
      snapshotId = clone.snapshotId();
      subject = clone.targetVmId();
      args = OperationArgs.clone(clone);
    } else {
      DiskExportArgs export = cmd.export();
      if (export == null || isBlank(export.url()) || isBlank(export.format())) {
        return reject(cmd, RejectReason.INVALID, "a disk export needs a url and a format", now);
      }
      step = Steps.DISK_EXPORT;
      snapshotId = export.snapshotId();
      subject = export.diskId() == null ? "root" : export.diskId();
      args = OperationArgs.export(export);
    }
    if (snapshotId != null) {
      SnapshotView snap =
          current.snapshots().stream()
              .filter(s -> s.id().equals(snapshotId))
              .findFirst()
              .orElse(null);
      if (snap == null) {
        return reject(cmd, RejectReason.NOT_FOUND, "no snapshot " + snapshotId, now);
      }
      if (snap.phase() != SnapshotPhase.SUCCEEDED) {
        return reject(
            cmd, RejectReason.INVALID_STATE, "snapshot " + snapshotId + " is " + snap.phase(), now);
      }
    }
    Operation op =
        new Operation(
            cmd.operationId(),
            cmd.type(),
            step.id(),
            1,
            now.plus(timeout(step, cmd)),
            now,
            current.state(),
            false,
            null,
            null,
            null,
            null,
            subject,
            args);
    Change c = new Change(current, now);
    c.vm = c.vm.locked(op, step.id() + " " + subject, now);
    c.accept(cmd, op);
    c.send(step, op);
    return c.decision();
  }

  /** Abort: cancels the running migration; the migration's operation reports how it ended. */
  private Decision abort(Vm current, VmCommand cmd, Instant now) {
    Operation running = current.operation();
    if (running == null || running.type() != CommandType.MIGRATE) {
      return reject(cmd, RejectReason.INVALID_STATE, "no migration is running", now);
    }
    Change c = new Change(current, now);
    c.events.add(new CommandAccepted(current.id(), cmd.operationId(), cmd.type(), now));
    if (running.step().equals(Steps.MIGRATE.id())) {
      c.cancelMigration(
          TaskError.of(ErrorType.CONFLICT, "migration aborted by operation " + cmd.operationId()));
    }
    c.events.add(new OperationSucceeded(current.id(), cmd.operationId(), cmd.type(), now));
    return c.decision();
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static final java.util.Set<VmState> SNAPSHOTTABLE =
      java.util.EnumSet.of(VmState.RUNNING, VmState.STOPPED, VmState.SUSPENDED);

  private static SnapshotView withPhase(SnapshotView s, SnapshotPhase phase, String message) {
    return new SnapshotView(s.id(), s.name(), phase, s.createdAt(), message);
  }

  private Decision delete(Vm current, VmCommand cmd, Instant now) {
    if (VmStateMachine.next(current.state(), Trigger.DELETE).isEmpty()) {
      return reject(cmd, RejectReason.CONFLICT, "VM is already " + current.state(), now);
    }
    Change c = new Change(current, now);
    Operation running = current.operation();
    if (running != null) {
      c.events.add(
          new OperationFailed(
              current.id(),
              running.id(),
              running.type(),
              running.step(),
              ErrorType.CONFLICT,
              "pre-empted by delete " + cmd.operationId(),
              now));
    }
    if (running != null && Vm.SUB_RESOURCE_OPERATIONS.contains(running.type())) {
      c.vm = c.vm.locked(null, null, now);
    }
    VmState origin = running != null ? running.origin() : current.state();
    // first undo what the pre-empted operation may have left: a clone, a migration half-way
    Steps first = Steps.DELETE;
    if (running != null
        && running.type() == CommandType.CLONE
        && running.args() != null
        && running.args().cloneTo() != null) {
      first = Steps.CLONE_DISCARD;
    } else if (running != null && running.type() == CommandType.MIGRATE) {
      first = Steps.MIGRATE_CANCEL;
    }
    Operation op =
        new Operation(
            cmd.operationId(),
            CommandType.DELETE,
            first.id(),
            1,
            now.plus(timeout(first, cmd)),
            now,
            origin,
            false,
            null,
            null,
            null,
            first == Steps.MIGRATE_CANCEL ? running.target() : null,
            null,
            first == Steps.CLONE_DISCARD ? running.args() : null);
    c.accept(cmd, op);
    c.dispatch(Trigger.DELETE, first, op);
    return c.decision();
  }

  private Decision reject(VmCommand cmd, RejectReason reason, String message, Instant now) {
    return new Decision(
        null,
        List.of(),
        List.of(
            new CommandRejected(cmd.vmId(), cmd.operationId(), cmd.type(), reason, message, now)));
  }

  // ---------------------------------------------------------------- task outcomes

  /**
   * Handles a worker's report. Reports about anything but the current step and attempt are stale.
   */
  public Decision onTaskEvent(Vm vm, TaskEvent ev, Instant now) {
    Operation op = vm == null ? null : vm.operation();
    if (op == null || !op.id().equals(ev.operationId())) {
      return lateReport(vm, ev, now);
    }
    if (!op.step().equals(ev.step())
        || !op.step().equals(ev.step())
        || op.attempt() != ev.attempt()
        || op.retryAt() != null) {
      return Decision.none();
    }
    Steps step = Steps.byId(op.step());
    if (ev.status() == TaskStatus.SUCCEEDED) {
      return succeeded(vm, step, ev, now);
    }
    if (ev.status() != TaskStatus.FAILED) {
      return Decision.none(); // accepted / progress: nothing to decide
    }
    TaskError error =
        ev.error() != null
            ? ev.error()
            : TaskError.of(ErrorType.RETRYABLE, "task failed without a cause");
    if (step.provenBy() != null && step.provenBy() == ev.power()) {
      return succeeded(vm, step, ev, now); // e.g. power-off of a VM that is already off
    }
    if ((step == Steps.DELETE
            || step == Steps.ROLLBACK
            || step == Steps.SNAPSHOT_DELETE
            || step == Steps.CLONE_DISCARD)
        && error.type() == ErrorType.NOT_FOUND) {
      return succeeded(vm, step, ev, now);
    }
    if (error.retryable() && op.attempt() < settings.maxAttempts()) {
      Duration delay =
          Backoff.delay(
              op.attempt(),
              settings.baseBackoff(),
              settings.maxBackoff(),
              error.retryAfterMs() == null ? null : Duration.ofMillis(error.retryAfterMs()),
              random);
      Instant when = now.plus(delay);
      if (when.isBefore(op.deadline())) {
        Change c = new Change(vm.observed(ev.providerRef(), null, null), now);
        c.vm = c.vm.withOperation(op.retryAt(when));
        c.events.add(
            new OperationProgress(
                vm.id(),
                op.id(),
                op.type(),
                op.step(),
                op.attempt(),
                op.deadline(),
                "retrying in "
                    + delay.toMillis()
                    + " ms after "
                    + error.type()
                    + ": "
                    + error.message(),
                now));
        return c.decision();
      }
    }
    Change c = new Change(vm.observed(ev.providerRef(), ev.power(), null), now);
    c.seen(ev);
    return failed(c, step, error, false);
  }

  /**
   * The report of a task whose operation is over. When it is the success of the VM's last operation
   * — which an observation finished first — what it saw that the observation may not have (the
   * guest's IPs, the provider's reference) is recorded; anything else is ignored.
   */
  private static Decision lateReport(Vm vm, TaskEvent ev, Instant now) {
    if (vm == null
        || vm.state() == VmState.DELETED
        || ev.status() != TaskStatus.SUCCEEDED
        || !ev.operationId().equals(vm.lastOperationId())) {
      return Decision.none();
    }
    boolean newIps = ev.ips() != null && !ev.ips().isEmpty() && !ev.ips().equals(vm.ips());
    boolean newRef = ev.providerRef() != null && vm.providerRef() == null;
    if (!newIps && !newRef) {
      return Decision.none();
    }
    Vm next = vm.observed(newRef ? ev.providerRef() : null, null, newIps ? ev.ips() : null);
    return new Decision(next.bumped(now), List.of(), List.of());
  }

  private Decision succeeded(Vm vm, Steps step, TaskEvent ev, Instant now) {
    Change c = new Change(vm.observed(ev.providerRef(), ev.power(), ev.ips()), now);
    c.seen(ev);
    return succeeded(c, step, ev.result());
  }

  /** The current step succeeded ({@code result}: what its task produced, if anything). */
  private Decision succeeded(Change c, Steps step, OperationResult result) {
    Operation op = c.vm.operation();
    switch (step) {
      case PROVISION -> c.dispatch(Trigger.PROVISIONED, Steps.START, op);
      case START -> c.finish(Trigger.STARTED, PowerState.ON);
      case SHUTDOWN, POWER_OFF -> c.finish(Trigger.STOPPED, PowerState.OFF);
      case REBOOT -> c.finish(Trigger.REBOOTED, PowerState.ON);
      case SUSPEND -> c.finish(Trigger.SUSPENDED, PowerState.PAUSED);
      case RESUME -> c.finish(Trigger.RESUMED, PowerState.ON);
      case RECONFIGURE -> c.reconfigured(op.target());
      case DELETE -> c.finish(Trigger.DELETED, PowerState.NOT_FOUND);
      case ROLLBACK -> c.fail(op.cause(), PowerState.NOT_FOUND);
      case SNAPSHOT_CREATE, SNAPSHOT_DELETE, SNAPSHOT_REVERT -> c.snapshotDone(step, null);
      case CLONE -> c.cloned(result);
      case DISK_EXPORT -> c.subResourceDone(null, result);
      case CLONE_DISCARD -> {
        if (op.type() == CommandType.DELETE) {
          c.next(Steps.DELETE);
        } else {
          c.subResourceDone(
              op.cause() != null
                  ? op.cause()
                  : TaskError.of(ErrorType.RETRYABLE, "the clone was discarded"),
              null);
        }
      }
      case MIGRATE -> c.migrated(hostOf(result, op.target().host()), null);
      case MIGRATE_CANCEL -> {
        String host = hostOf(result, null);
        if (op.type() == CommandType.DELETE) {
          if (host != null) {
            c.vm = c.vm.withSpec(c.vm.spec().onHost(host));
          }
          c.next(Steps.DELETE);
        } else if (host != null && host.equals(op.target().host())) {
          c.migrated(host, null); // it arrived before the cancel did
        } else {
          c.migrated(host, op.cause());
        }
      }
    }
    return c.decision();
  }

  /** The host a task reports the VM on, else {@code otherwise}. */
  private static String hostOf(OperationResult result, String otherwise) {
    return result != null && result.host() != null ? result.host() : otherwise;
  }

  /** A step failed for good (or timed out): take the saga's failure branch. */
  private Decision failed(Change c, Steps step, TaskError error, boolean timedOut) {
    Operation op = c.vm.operation();
    switch (step) {
      case PROVISION, START -> {
        if (op.type() == CommandType.CREATE) {
          c.compensate(error);
        } else if (timedOut) {
          c.fail(error, PowerState.UNKNOWN);
        } else {
          c.abort(error);
        }
      }
      case SHUTDOWN -> c.escalate(error);
      case POWER_OFF, REBOOT, SUSPEND, RESUME, RECONFIGURE -> {
        if (timedOut) {
          c.fail(error, PowerState.UNKNOWN);
        } else {
          c.abort(error);
        }
      }
      case DELETE -> c.fail(error, null);
      case SNAPSHOT_CREATE, SNAPSHOT_DELETE, SNAPSHOT_REVERT -> c.snapshotDone(step, error);
      case CLONE -> c.discardClone(error);
      case DISK_EXPORT -> c.subResourceDone(error, null);
      case CLONE_DISCARD -> {
        TaskError why = withCause(op, "the clone could not be removed: " + error.message(), error);
        if (op.type() == CommandType.DELETE) {
          c.fail(why, null);
        } else {
          c.subResourceDone(why, null);
        }
      }
      case MIGRATE -> {
        if (timedOut || error.type() == ErrorType.TIMEOUT) {
          // the worker gave up at the step's deadline before our timer did: the same timeout,
          // and the migration may still run on the hypervisor
          if (!timedOut) {
            c.events.add(new OperationTimedOut(c.vm.id(), op.id(), op.type(), op.step(), c.now));
          }
          c.cancelMigration(error);
        } else {
          c.abort(error);
        }
      }
      case MIGRATE_CANCEL ->
          c.fail(
              withCause(op, "cancelling the migration failed: " + error.message(), error),
              PowerState.UNKNOWN);
      case ROLLBACK ->
          c.fail(
              TaskError.of(
                  op.cause() != null ? op.cause().type() : error.type(),
                  (op.cause() != null ? op.cause().message() + "; " : "")
                      + "compensation failed: "
                      + error.message()),
              null);
    }
    return c.decision();
  }

  /** The operation's original failure, if any, followed by what went wrong undoing it. */
  private static TaskError withCause(Operation op, String message, TaskError error) {
    return TaskError.of(
        op.cause() != null ? op.cause().type() : error.type(),
        (op.cause() != null ? op.cause().message() + "; " : "") + message);
  }

  // ---------------------------------------------------------------- timers

  /** When the engine wants {@link #onTimer} called for this VM next; null when never. */
  public static Instant nextTimer(Vm vm) {
    Operation op = vm.operation();
    if (op == null) {
      return null;
    }
    return op.retryAt() != null && op.retryAt().isBefore(op.deadline())
        ? op.retryAt()
        : op.deadline();
  }

  /** Handles a due timer: a retry whose backoff has passed, or an expired step deadline. */
  public Decision onTimer(Vm vm, Instant now) {
    Operation op = vm.operation();
    if (op == null) {
      return Decision.none();
    }
    Steps step = Steps.byId(op.step());
    if (!now.isBefore(op.deadline())) {
      Change c = new Change(vm, now);
      c.events.add(new OperationTimedOut(vm.id(), op.id(), op.type(), op.step(), now));
      return failed(
          c,
          step,
          TaskError.of(
              ErrorType.TIMEOUT, "step " + op.step() + " passed its deadline " + op.deadline()),
          true);
    }
    if (op.retryAt() != null && !now.isBefore(op.retryAt())) {
      Change c = new Change(vm, now);
      Operation next = op.nextAttempt();
      c.vm = c.vm.withOperation(next);
      c.send(step, next);
      return c.decision();
    }
    return Decision.none();
  }

  private Duration timeout(Steps step, VmCommand cmd) {
    return switch (step) {
      case PROVISION -> settings.provisionTimeout();
      case SHUTDOWN ->
          cmd != null && cmd.gracefulTimeoutSeconds() != null
              ? Duration.ofSeconds(cmd.gracefulTimeoutSeconds())
              : settings.gracefulStopTimeout();
      case DELETE, ROLLBACK, CLONE_DISCARD -> settings.deleteTimeout();
      case CLONE, DISK_EXPORT -> settings.transferTimeout();
      case MIGRATE -> settings.migrationTimeout();
      default -> settings.powerTimeout();
    };
  }

  // ---------------------------------------------------------------- building a decision

  /** Accumulates one decision: every change bumps the version once, every state change too. */
  private final class Change {
    private Vm vm;
    private final long originalVersion;
    private final Instant now;
    private final List<Vm> created = new ArrayList<>();
    private final List<TaskRequested> tasks = new ArrayList<>();
    private final List<LifecycleEvent> events = new ArrayList<>();

    /** When the outcome being handled saw the VM's power (a task's report, an observation). */
    private Instant seenAt;

    Change(Vm vm, Instant now) {
      this.vm = vm;
      this.originalVersion = vm.version();
      this.now = now;
    }

    /** A task's outcome is a sighting of the VM: its power as of the report's time. */
    void seen(TaskEvent ev) {
      seenAt = ev.at();
      if (ev.power() != null) {
        vm = vm.seen(seenAt);
      }
    }

    /** The VM takes the state its observed power implies, with no operation (drift). */
    void drifted(VmState to, String operationId, String reason) {
      VmState from = vm.state();
      vm = vm.with(to, null).bumped(now);
      events.add(new StateChanged(vm.id(), from, to, vm.version(), operationId, reason, now));
    }

    void created() {
      vm = vm.bumped(now);
      events.add(
          new StateChanged(
              vm.id(), null, vm.state(), vm.version(), vm.operation().id(), "created", now));
    }

    void accept(VmCommand cmd, Operation op) {
      events.add(new CommandAccepted(vm.id(), op.id(), cmd.type(), now));
      started(op);
    }

    void started(Operation op) {
      events.add(new OperationStarted(vm.id(), op.id(), op.type(), op.deadline(), now));
    }

    void move(Trigger trigger, Operation op, String reason) {
      VmState from = vm.state();
      VmState to =
          VmStateMachine.next(from, trigger)
              .orElseThrow(() -> new IllegalStateException(trigger + " is not allowed in " + from));
      vm = vm.with(to, to.isTransitional() ? op : null).bumped(now);
      events.add(
          new StateChanged(
              vm.id(), from, to, vm.version(), op == null ? null : op.id(), reason, now));
    }

    /** Moves to the step's state (via {@code trigger}) and sends its task. */
    void dispatch(Trigger trigger, Steps step, Operation op) {
      Operation atStep =
          op.step().equals(step.id()) ? op : op.atStep(step.id(), now.plus(timeout(step, null)));
      move(trigger, atStep, step.id());
      send(step, atStep);
    }

    void send(Steps step, Operation op) {
      send(step, op, null);
    }

    void send(Steps step, Operation op, String message) {
      events.add(
          new OperationProgress(
              vm.id(), op.id(), op.type(), op.step(), op.attempt(), op.deadline(), message, now));
      tasks.add(
          new TaskRequested(
              op.taskId(),
              op.id(),
              vm.id(),
              vm.provider(),
              op.step(),
              step.action(),
              op.attempt(),
              op.idempotencyKey(),
              op.deadline(),
              step == Steps.PROVISION ? vm.spec() : step == Steps.RECONFIGURE ? op.target() : null,
              vm.providerRef(),
              step == Steps.SNAPSHOT_CREATE
                      || step == Steps.SNAPSHOT_DELETE
                      || step == Steps.SNAPSHOT_REVERT
                  ? op.subject()
                  : null,
              op.args() == null ? null : op.args().cloneTo(),
              (step == Steps.MIGRATE || step == Steps.MIGRATE_CANCEL) && op.target() != null
                  ? op.target().host()
                  : null,
              op.args() == null ? null : op.args().export(),
              vm.spec().host()));
    }

    /** The next step of the same operation, in the same state. */
    void next(Steps step) {
      Operation op = vm.operation().atStep(step.id(), now.plus(timeout(step, null)));
      vm = vm.withOperation(op);
      send(step, op);
    }

    /**
     * A sub-resource operation (clone, disk export) ended ({@code error} null = succeeded): the VM
     * is unlocked.
     */
    void subResourceDone(TaskError error, OperationResult result) {
      Operation op = vm.operation();
      vm = vm.locked(null, null, now).withLastError(error);
      ended(op, error, result);
    }

    /** The operation's last event: succeeded (with what it produced) or failed with the error. */
    void ended(Operation op, TaskError error, OperationResult result) {
      events.add(
          error == null
              ? new OperationSucceeded(vm.id(), op.id(), op.type(), now, result)
              : new OperationFailed(
                  vm.id(), op.id(), op.type(), op.step(), error.type(), error.message(), now));
    }

    /** The clone exists: it becomes a VM of its own (stopped), and the source is unlocked. */
    void cloned(OperationResult result) {
      Operation op = vm.operation();
      CloneArgs args = op.args().cloneTo();
      String ref = result == null ? null : result.providerRef();
      VmSpec s = vm.spec();
      VmSpec spec =
          new VmSpec(
              args.name(),
              s.provider(),
              s.cpus(),
              s.memoryMiB(),
              s.diskGiB(),
              s.image(),
              s.labels(),
              s.host(),
              null);
      Vm clone =
          new Vm(
              args.targetVmId(),
              vm.tenantId(),
              spec,
              VmState.STOPPED,
              null,
              ref,
              PowerState.OFF,
              List.of(),
              List.of(),
              op.id(),
              null,
              1,
              now,
              now);
      created.add(clone);
      events.add(
          new StateChanged(
              clone.id(),
              null,
              VmState.STOPPED,
              clone.version(),
              op.id(),
              "cloned from "
                  + vm.id()
                  + (args.snapshotId() == null ? "" : " snapshot " + args.snapshotId()),
              now));
      subResourceDone(null, OperationResult.clone(clone.id(), ref));
    }

    /** A clone failed: remove whatever the provider made before the operation fails. */
    void discardClone(TaskError error) {
      Operation op =
          vm.operation()
              .compensate(Steps.CLONE_DISCARD.id(), now.plus(settings.deleteTimeout()), error);
      vm = vm.withOperation(op).withLastError(error);
      send(
          Steps.CLONE_DISCARD,
          op,
          "discarding the clone after " + error.type() + ": " + error.message());
    }

    /** A migration timed out or was aborted: cancel it, then see where the VM is. */
    void cancelMigration(TaskError why) {
      Operation op =
          vm.operation()
              .compensate(Steps.MIGRATE_CANCEL.id(), now.plus(settings.powerTimeout()), why);
      vm = vm.withOperation(op);
      send(Steps.MIGRATE_CANCEL, op, "cancelling the migration: " + why.message());
    }

    /**
     * A migration ended with the VM on {@code host} (null: where it was): back to the state it
     * began in; the operation succeeded unless {@code error} says why not.
     */
    void migrated(String host, TaskError error) {
      Operation op = vm.operation();
      VmState from = vm.state();
      VmSpec spec = host == null ? vm.spec() : vm.spec().onHost(host);
      vm = vm.withSpec(spec).with(op.origin(), null).withLastError(error).bumped(now);
      events.add(
          new StateChanged(
              vm.id(),
              from,
              vm.state(),
              vm.version(),
              op.id(),
              error == null
                  ? "migrated to " + host
                  : error.type() + ": " + error.message() + " (on " + spec.host() + ")",
              now));
      ended(op, error, OperationResult.host(host));
    }

    /** The operation succeeded: leave the transitional state. */
    void finish(Trigger trigger, PowerState power) {
      Operation op = vm.operation();
      vm = vm.observed(null, power, null).seen(power == null ? null : seenAt).withLastError(null);
      move(trigger, op, op.type().name().toLowerCase() + " succeeded");
      if (vm.state() == VmState.DELETED) {
        events.add(new VmDeleted(vm.id(), op.id(), now));
      }
      events.add(new OperationSucceeded(vm.id(), op.id(), op.type(), now));
    }

    /** The operation failed and nothing is left to undo: the VM becomes FAILED. */
    void fail(TaskError error, PowerState power) {
      Operation op = vm.operation();
      vm = vm.observed(null, power, null).seen(power == null ? null : seenAt).withLastError(error);
      move(Trigger.FAIL, op, error.type() + ": " + error.message());
      events.add(
          new OperationFailed(
              vm.id(), op.id(), op.type(), op.step(), error.type(), error.message(), now));
    }

    /**
     * A snapshot operation ended ({@code error} null = succeeded): the snapshot takes its new
     * phase, the VM is unlocked; after a revert the VM's state follows the power the provider
     * reports.
     */
    void snapshotDone(Steps step, TaskError error) {
      Operation op = vm.operation();
      List<SnapshotView> next = new ArrayList<>();
      for (SnapshotView s : vm.snapshots()) {
        if (!s.id().equals(op.subject())) {
          next.add(s);
        } else if (step == Steps.SNAPSHOT_CREATE) {
          next.add(
              withPhase(
                  s,
                  error == null ? SnapshotPhase.SUCCEEDED : SnapshotPhase.FAILED,
                  error == null ? null : error.message()));
        } else if (step == Steps.SNAPSHOT_DELETE && error != null) {
          next.add(withPhase(s, SnapshotPhase.SUCCEEDED, "delete failed: " + error.message()));
        } else if (step == Steps.SNAPSHOT_REVERT) {
          next.add(s);
        }
      }
      vm = vm.locked(null, null, now).withSnapshots(next).withLastError(error);
      if (step == Steps.SNAPSHOT_REVERT && error == null) {
        VmState after =
            switch (vm.observedPower()) {
              case ON -> VmState.RUNNING;
              case OFF -> VmState.STOPPED;
              case PAUSED -> VmState.SUSPENDED;
              default -> vm.state();
            };
        if (after != vm.state()) {
          VmState from = vm.state();
          vm = vm.with(after, null).bumped(now);
          events.add(
              new StateChanged(
                  vm.id(), from, after, vm.version(), op.id(), "reverted to " + op.subject(), now));
        }
      }
      ended(op, error, null);
    }

    /** The VM has its new sizes: it takes the target spec and returns to where it began. */
    void reconfigured(VmSpec target) {
      Operation op = vm.operation();
      VmState from = vm.state();
      vm = vm.withSpec(target).with(op.origin(), null).withLastError(null).bumped(now);
      events.add(
          new StateChanged(vm.id(), from, vm.state(), vm.version(), op.id(), "reconfigured", now));
      events.add(new OperationSucceeded(vm.id(), op.id(), op.type(), now));
    }

    /** The provider refused cleanly (nothing changed): back to the state the operation began in. */
    void abort(TaskError error) {
      Operation op = vm.operation();
      VmState from = vm.state();
      VmState to = op.origin();
      if (!VmStateMachine.canAbort(from, to)) {
        fail(error, null);
        return;
      }
      vm = vm.with(to, null).withLastError(error).bumped(now);
      events.add(
          new StateChanged(
              vm.id(),
              from,
              to,
              vm.version(),
              op.id(),
              error.type() + ": " + error.message(),
              now));
      events.add(
          new OperationFailed(
              vm.id(), op.id(), op.type(), op.step(), error.type(), error.message(), now));
    }

    /** A create failed: remove what the provider made before declaring the VM FAILED. */
    void compensate(TaskError error) {
      Operation op =
          vm.operation().compensate(Steps.ROLLBACK.id(), now.plus(settings.deleteTimeout()), error);
      vm = vm.withOperation(op).withLastError(error);
      send(Steps.ROLLBACK, op, "undoing create after " + error.type() + ": " + error.message());
    }

    /** A graceful shutdown did not finish: force the power off. */
    void escalate(TaskError error) {
      Operation op = vm.operation().atStep(Steps.POWER_OFF.id(), now.plus(settings.powerTimeout()));
      vm = vm.withOperation(op);
      send(
          Steps.POWER_OFF,
          op,
          "graceful shutdown did not finish (" + error.type() + "), forcing power off");
    }

    /** The decision; a VM that changed without a state change still gets a new version. */
    Decision decision() {
      if (vm.version() == originalVersion) {
        vm = vm.bumped(now);
      }
      return new Decision(vm, created, tasks, events);
    }
  }
}
