package dev.virtsaga.orchestrator.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.model.AdoptArgs;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.orchestrator.Vm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SagaEngineTest {
  private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
  private static final VmSpec SPEC = new VmSpec("web", "libvirt", 1, 256, 0, null, null);
  private static final SagaSettings SETTINGS =
      new SagaSettings(
          Duration.ofSeconds(60),
          Duration.ofSeconds(20),
          Duration.ofSeconds(30),
          Duration.ofSeconds(40),
          3,
          Duration.ofMillis(100),
          Duration.ofSeconds(5));

  private final SagaEngine engine = new SagaEngine(SETTINGS, new Random(7));
  private Instant now = T0;

  private static VmCommand cmd(String op, CommandType type) {
    return new VmCommand(
        op, "vm-1", "t1", type, T0, type == CommandType.CREATE ? SPEC : null, null, null, null);
  }

  private static TaskEvent outcome(
      TaskRequested task, TaskStatus status, PowerState power, TaskError error) {
    String ref = task.action() == TaskAction.CREATE ? "dom-1" : null;
    return TaskEvent.reporting(task, status, T0, ref, null, power, null, error);
  }

  private static TaskEvent ok(TaskRequested task, PowerState power) {
    return outcome(task, TaskStatus.SUCCEEDED, power, null);
  }

  private static TaskEvent fail(TaskRequested task, ErrorType type) {
    return outcome(task, TaskStatus.FAILED, null, TaskError.of(type, "boom"));
  }

  /** Applies a decision and checks the invariants every decision must keep. */
  private Vm apply(Vm before, Decision d) {
    if (!d.changed()) {
      return before;
    }
    Vm vm = d.vm();
    if (vm.state().isTransitional()) {
      assertThat(vm.operation()).isNotNull();
    } else {
      assertThat(vm.operation() == null || locked(vm))
          .as("an operation on a stable VM locks it")
          .isTrue();
    }
    if (before != null) {
      assertThat(vm.version()).isGreaterThan(before.version());
    }
    long lastVersion = before == null ? 0 : before.version();
    for (LifecycleEvent e : d.events()) {
      if (e instanceof StateChanged sc && sc.vmId().equals(vm.id())) {
        assertThat(sc.version()).isGreaterThan(lastVersion);
        lastVersion = sc.version();
      }
    }
    assertThat(d.tasks())
        .allSatisfy(t -> assertThat(t.deadline()).isEqualTo(vm.operation().deadline()));
    return vm;
  }

  private static List<VmState> states(Decision d) {
    return d.events().stream()
        .filter(StateChanged.class::isInstance)
        .map(e -> ((StateChanged) e).to())
        .toList();
  }

  private Vm running() {
    Decision d = engine.onCommand(null, cmd("op-c", CommandType.CREATE), now);
    Vm vm = apply(null, d);
    Decision provisioned = engine.onTaskEvent(vm, ok(d.tasks().get(0), PowerState.OFF), now);
    vm = apply(vm, provisioned);
    return apply(vm, engine.onTaskEvent(vm, ok(provisioned.tasks().get(0), PowerState.ON), now));
  }

  @Test
  void createGoesPendingProvisioningStartingRunning() {
    // Given no VM, When a create arrives
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    // Then it is accepted, PENDING then PROVISIONING, and a CREATE task carries the spec
    assertThat(d.events()).first().isInstanceOf(StateChanged.class);
    assertThat(d.events())
        .hasAtLeastOneElementOfType(CommandAccepted.class)
        .hasAtLeastOneElementOfType(OperationStarted.class);
    assertThat(states(d)).containsExactly(VmState.PENDING, VmState.PROVISIONING);
    assertThat(d.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.CREATE);
              assertThat(t.spec()).isEqualTo(SPEC);
              assertThat(t.idempotencyKey()).isEqualTo("op-1:provision");
              assertThat(t.deadline()).isEqualTo(T0.plusSeconds(60));
            });
    Vm vm = apply(null, d);
    // When the provider made it, Then it is started
    Decision provisioned = engine.onTaskEvent(vm, ok(d.tasks().get(0), PowerState.OFF), now);
    assertThat(states(provisioned)).containsExactly(VmState.STARTING);
    assertThat(provisioned.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.POWER_ON);
              assertThat(t.providerRef()).isEqualTo("dom-1");
              assertThat(t.deadline()).isEqualTo(T0.plusSeconds(20));
            });
    vm = apply(vm, provisioned);
    // When it is on, Then RUNNING, operation done
    Decision started = engine.onTaskEvent(vm, ok(provisioned.tasks().get(0), PowerState.ON), now);
    assertThat(states(started)).containsExactly(VmState.RUNNING);
    assertThat(started.events()).last().isInstanceOf(OperationSucceeded.class);
    vm = apply(vm, started);
    assertThat(vm.operation()).isNull();
    assertThat(vm.observedPower()).isEqualTo(PowerState.ON);
    assertThat(vm.providerRef()).isEqualTo("dom-1");
    assertThat(vm.lastOperationId()).isEqualTo("op-1");
  }

  @Test
  void createFailureIsCompensatedByDeleteThenFailed() {
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    Vm vm = apply(null, d);
    // When provisioning fails for good
    Decision failed = engine.onTaskEvent(vm, fail(d.tasks().get(0), ErrorType.INVALID_SPEC), now);
    // Then the saga first undoes it
    assertThat(failed.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.DELETE);
              assertThat(t.step()).isEqualTo("rollback-delete");
            });
    assertThat(states(failed)).isEmpty();
    vm = apply(vm, failed);
    assertThat(vm.state()).isEqualTo(VmState.PROVISIONING);
    // And once the delete is confirmed the VM is FAILED with the original cause
    Decision undone = engine.onTaskEvent(vm, ok(failed.tasks().get(0), null), now);
    vm = apply(vm, undone);
    assertThat(vm.state()).isEqualTo(VmState.FAILED);
    assertThat(vm.lastError().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(undone.events())
        .filteredOn(OperationFailed.class::isInstance)
        .singleElement()
        .satisfies(
            e -> assertThat(((OperationFailed) e).errorType()).isEqualTo(ErrorType.INVALID_SPEC));
  }

  @Test
  void retryableErrorsRetryWithBackoffHonouringRetryAfterUpToTheLimit() {
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    Vm vm = apply(null, d);
    TaskRequested task = d.tasks().get(0);
    // When the provider says slow down for 2 s
    TaskEvent limited =
        outcome(
            task, TaskStatus.FAILED, null, new TaskError(ErrorType.RATE_LIMIT, "429", true, 2000L));
    Decision retry = engine.onTaskEvent(vm, limited, now);
    vm = apply(vm, retry);
    // Then nothing is sent now, and the retry waits at least 2 s
    assertThat(retry.tasks()).isEmpty();
    assertThat(vm.operation().retryAt()).isAfterOrEqualTo(now.plusMillis(2000));
    assertThat(SagaEngine.nextTimer(vm)).isEqualTo(vm.operation().retryAt());
    assertThat(engine.onTimer(vm, now.plusMillis(1999)).changed()).isFalse();
    // A late report of the same attempt changes nothing
    assertThat(engine.onTaskEvent(vm, limited, now).changed()).isFalse();
    // When the backoff passed, Then attempt 2 is sent with the same idempotency key
    Decision again = engine.onTimer(vm, vm.operation().retryAt());
    assertThat(again.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.attempt()).isEqualTo(2);
              assertThat(t.idempotencyKey()).isEqualTo(task.idempotencyKey());
              assertThat(t.taskId()).isNotEqualTo(task.taskId());
            });
    vm = apply(vm, again);
    // When attempts 2 and 3 fail too, Then the step fails for good (compensation starts)
    Decision r2 = engine.onTaskEvent(vm, fail(again.tasks().get(0), ErrorType.UNAVAILABLE), now);
    vm = apply(vm, r2);
    Decision a3 = engine.onTimer(vm, vm.operation().retryAt());
    vm = apply(vm, a3);
    Decision r3 = engine.onTaskEvent(vm, fail(a3.tasks().get(0), ErrorType.UNAVAILABLE), now);
    assertThat(r3.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.step()).isEqualTo("rollback-delete"));
  }

  @Test
  void aTaskNobodyAnswersHitsItsDeadlineAndTheVmEndsFailed() {
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    Vm vm = apply(null, d);
    assertThat(SagaEngine.nextTimer(vm)).isEqualTo(T0.plusSeconds(60));
    assertThat(engine.onTimer(vm, T0.plusSeconds(59)).changed()).isFalse();
    // When the provision deadline passes
    Decision timedOut = engine.onTimer(vm, T0.plusSeconds(60));
    assertThat(timedOut.events()).hasAtLeastOneElementOfType(OperationTimedOut.class);
    assertThat(timedOut.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.step()).isEqualTo("rollback-delete"));
    vm = apply(vm, timedOut);
    // And the compensation is not answered either
    Decision gaveUp = engine.onTimer(vm, vm.operation().deadline());
    vm = apply(vm, gaveUp);
    // Then the VM is FAILED: stable, no operation
    assertThat(vm.state()).isEqualTo(VmState.FAILED);
    assertThat(vm.operation()).isNull();
    assertThat(vm.lastError().message()).contains("compensation failed");
  }

  @Test
  void startStopRebootDelete() {
    Vm vm = running();
    Decision stop = engine.onCommand(vm, cmd("op-s", CommandType.STOP), now);
    assertThat(stop.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.SHUTDOWN_GRACEFUL);
              assertThat(t.deadline()).isEqualTo(now.plusSeconds(30));
            });
    vm = apply(vm, stop);
    vm = apply(vm, engine.onTaskEvent(vm, ok(stop.tasks().get(0), PowerState.OFF), now));
    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
    Decision start = engine.onCommand(vm, cmd("op-st", CommandType.START), now);
    vm = apply(vm, start);
    vm = apply(vm, engine.onTaskEvent(vm, ok(start.tasks().get(0), PowerState.ON), now));
    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
    Decision reboot = engine.onCommand(vm, cmd("op-r", CommandType.REBOOT), now);
    assertThat(states(reboot)).containsExactly(VmState.REBOOTING);
    vm = apply(vm, reboot);
    vm = apply(vm, engine.onTaskEvent(vm, ok(reboot.tasks().get(0), PowerState.ON), now));
    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
    Decision delete = engine.onCommand(vm, cmd("op-d", CommandType.DELETE), now);
    vm = apply(vm, delete);
    Decision deleted = engine.onTaskEvent(vm, ok(delete.tasks().get(0), null), now);
    vm = apply(vm, deleted);
    assertThat(vm.state()).isEqualTo(VmState.DELETED);
    assertThat(deleted.events()).hasAtLeastOneElementOfType(VmDeleted.class);
  }

  @Test
  void gracefulStopEscalatesToForcedPowerOffAtItsDeadline() {
    Vm vm = running();
    VmCommand stop =
        new VmCommand("op-s", "vm-1", "t1", CommandType.STOP, T0, null, false, 5, null);
    Decision d = engine.onCommand(vm, stop, now);
    vm = apply(vm, d);
    assertThat(vm.operation().deadline()).isEqualTo(now.plusSeconds(5));
    Decision escalated = engine.onTimer(vm, now.plusSeconds(5));
    assertThat(escalated.events()).hasAtLeastOneElementOfType(OperationTimedOut.class);
    assertThat(escalated.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.POWER_OFF));
    vm = apply(vm, escalated);
    assertThat(vm.state()).isEqualTo(VmState.STOPPING);
    vm = apply(vm, engine.onTaskEvent(vm, ok(escalated.tasks().get(0), PowerState.OFF), now));
    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void gracefulStopThatIsNotSupportedEscalatesAtOnce() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, cmd("op-s", CommandType.STOP), now);
    vm = apply(vm, d);
    Decision escalated =
        engine.onTaskEvent(vm, fail(d.tasks().get(0), ErrorType.NOT_SUPPORTED), now);
    assertThat(escalated.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.POWER_OFF));
  }

  @Test
  void forcedStopGoesStraightToPowerOffAndAnAlreadyOffVmCountsAsStopped() {
    Vm vm = running();
    VmCommand stop =
        new VmCommand("op-s", "vm-1", "t1", CommandType.STOP, T0, null, true, null, null);
    Decision d = engine.onCommand(vm, stop, now);
    assertThat(d.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.POWER_OFF));
    vm = apply(vm, d);
    Decision done =
        engine.onTaskEvent(
            vm,
            outcome(
                d.tasks().get(0),
                TaskStatus.FAILED,
                PowerState.OFF,
                TaskError.of(ErrorType.CONFLICT, "not running")),
            now);
    assertThat(apply(vm, done).state()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void aCleanStartFailureReturnsToStoppedButATimeoutFails() {
    Vm vm = running();
    Decision stop =
        engine.onCommand(
            vm,
            new VmCommand("op-s", "vm-1", "t1", CommandType.STOP, T0, null, true, null, null),
            now);
    vm = apply(vm, stop);
    vm = apply(vm, engine.onTaskEvent(vm, ok(stop.tasks().get(0), PowerState.OFF), now));
    Decision start = engine.onCommand(vm, cmd("op-st", CommandType.START), now);
    Vm starting = apply(vm, start);
    Vm refused =
        apply(
            starting,
            engine.onTaskEvent(
                starting, fail(start.tasks().get(0), ErrorType.QUOTA_EXCEEDED), now));
    assertThat(refused.state()).isEqualTo(VmState.STOPPED);
    assertThat(refused.lastError().type()).isEqualTo(ErrorType.QUOTA_EXCEEDED);
    Vm timedOut = apply(starting, engine.onTimer(starting, starting.operation().deadline()));
    assertThat(timedOut.state()).isEqualTo(VmState.FAILED);
    // and a FAILED VM can be started again
    assertThat(states(engine.onCommand(timedOut, cmd("op-again", CommandType.START), now)))
        .containsExactly(VmState.STARTING);
  }

  @Test
  void oneOperationPerVm() {
    Vm vm = running();
    vm = apply(vm, engine.onCommand(vm, cmd("op-s", CommandType.STOP), now));
    Decision second = engine.onCommand(vm, cmd("op-r", CommandType.REBOOT), now);
    assertThat(second.changed()).isFalse();
    assertThat(second.tasks()).isEmpty();
    assertThat(second.events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.CONFLICT));
    // the same command delivered twice is not a conflict, and does nothing
    assertThat(engine.onCommand(vm, cmd("op-s", CommandType.STOP), now)).isEqualTo(Decision.none());
  }

  @Test
  void commandsThatMakeNoSenseAreRejected() {
    Vm vm = running();
    assertThat(engine.onCommand(vm, cmd("x", CommandType.START), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_STATE));
    assertThat(engine.onCommand(null, cmd("x", CommandType.STOP), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.NOT_FOUND));
    assertThat(engine.onCommand(vm, cmd("x", CommandType.CREATE), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.ALREADY_EXISTS));
    VmCommand noSpec =
        new VmCommand("x", "vm-2", "t1", CommandType.CREATE, T0, null, null, null, null);
    assertThat(engine.onCommand(null, noSpec, now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID));
    // a replayed create of the same operation is a no-op, not a rejection
    assertThat(engine.onCommand(vm, cmd("op-c", CommandType.CREATE), now))
        .isEqualTo(Decision.none());
  }

  @Test
  void deletePreEmptsARunningCreateAndStaleReportsAreIgnored() {
    Decision create = engine.onCommand(null, cmd("op-c", CommandType.CREATE), now);
    Vm vm = apply(null, create);
    Decision delete = engine.onCommand(vm, cmd("op-d", CommandType.DELETE), now);
    assertThat(delete.events())
        .filteredOn(OperationFailed.class::isInstance)
        .singleElement()
        .satisfies(e -> assertThat(((OperationFailed) e).operationId()).isEqualTo("op-c"));
    assertThat(delete.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.DELETE));
    vm = apply(vm, delete);
    assertThat(vm.state()).isEqualTo(VmState.DELETING);
    // the create's late success changes nothing
    assertThat(engine.onTaskEvent(vm, ok(create.tasks().get(0), PowerState.OFF), now).changed())
        .isFalse();
    // the provider never had it: NOT_FOUND confirms the delete
    vm = apply(vm, engine.onTaskEvent(vm, fail(delete.tasks().get(0), ErrorType.NOT_FOUND), now));
    assertThat(vm.state()).isEqualTo(VmState.DELETED);
    assertThat(engine.onCommand(vm, cmd("op-d2", CommandType.DELETE), now).events())
        .singleElement()
        .isInstanceOf(CommandRejected.class);
  }

  @Test
  void aDeleteTheProviderRefusesLeavesTheVmFailedAndDeletableAgain() {
    Vm vm = running();
    Decision delete = engine.onCommand(vm, cmd("op-d", CommandType.DELETE), now);
    vm = apply(vm, delete);
    vm =
        apply(vm, engine.onTaskEvent(vm, fail(delete.tasks().get(0), ErrorType.UNAUTHORIZED), now));
    assertThat(vm.state()).isEqualTo(VmState.FAILED);
    assertThat(states(engine.onCommand(vm, cmd("op-d2", CommandType.DELETE), now)))
        .containsExactly(VmState.DELETING);
  }

  @Test
  void acceptedAndProgressReportsChangeNothing() {
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    Vm vm = apply(null, d);
    assertThat(
            engine
                .onTaskEvent(vm, outcome(d.tasks().get(0), TaskStatus.ACCEPTED, null, null), now)
                .changed())
        .isFalse();
    assertThat(
            engine
                .onTaskEvent(vm, outcome(d.tasks().get(0), TaskStatus.PROGRESS, null, null), now)
                .changed())
        .isFalse();
  }

  @Test
  void everyDecisionPublishesOnlyOperationEventsOfItsVm() {
    Decision d = engine.onCommand(null, cmd("op-1", CommandType.CREATE), now);
    assertThat(d.events()).allSatisfy(e -> assertThat(e.vmId()).isEqualTo("vm-1"));
    assertThat(d.events()).filteredOn(OperationProgress.class::isInstance).hasSize(1);
  }

  @Test
  void suspendAndResumeRoundTrip() {
    Vm vm = running();
    Decision suspend = engine.onCommand(vm, cmd("op-su", CommandType.SUSPEND), now);
    assertThat(states(suspend)).containsExactly(VmState.SUSPENDING);
    assertThat(suspend.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.SUSPEND));
    vm = apply(vm, suspend);
    vm = apply(vm, engine.onTaskEvent(vm, ok(suspend.tasks().get(0), PowerState.PAUSED), now));
    assertThat(vm.state()).isEqualTo(VmState.SUSPENDED);
    assertThat(vm.observedPower()).isEqualTo(PowerState.PAUSED);
    // a suspended VM cannot be suspended or rebooted
    assertThat(engine.onCommand(vm, cmd("x", CommandType.REBOOT), now).events())
        .singleElement()
        .isInstanceOf(CommandRejected.class);
    Decision resume = engine.onCommand(vm, cmd("op-re", CommandType.RESUME), now);
    assertThat(states(resume)).containsExactly(VmState.RESUMING);
    vm = apply(vm, resume);
    vm = apply(vm, engine.onTaskEvent(vm, ok(resume.tasks().get(0), PowerState.ON), now));
    assertThat(vm.state()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void aSuspendedVmIsStoppedByForcedPowerOffAndAFailedSuspendLeavesItRunning() {
    Vm vm = running();
    Decision suspend = engine.onCommand(vm, cmd("op-su", CommandType.SUSPEND), now);
    Vm suspending = apply(vm, suspend);
    Vm refused =
        apply(
            suspending,
            engine.onTaskEvent(
                suspending, fail(suspend.tasks().get(0), ErrorType.NOT_SUPPORTED), now));
    assertThat(refused.state()).isEqualTo(VmState.RUNNING);
    assertThat(refused.lastError().type()).isEqualTo(ErrorType.NOT_SUPPORTED);
    Vm suspended =
        apply(
            suspending,
            engine.onTaskEvent(suspending, ok(suspend.tasks().get(0), PowerState.PAUSED), now));
    Decision stop = engine.onCommand(suspended, cmd("op-st", CommandType.STOP), now);
    assertThat(stop.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.POWER_OFF));
    Vm stopping = apply(suspended, stop);
    Vm timedOut = apply(stopping, engine.onTimer(stopping, stopping.operation().deadline()));
    assertThat(timedOut.state()).isEqualTo(VmState.FAILED);
  }

  private static VmCommand reconfigure(String op, VmSpec target) {
    return new VmCommand(op, "vm-1", "t1", CommandType.RECONFIGURE, T0, target, null, null, null);
  }

  @Test
  void reconfigureGivesTheVmItsNewSpecAndReturnsItWhereItWas() {
    Vm vm = running();
    VmSpec bigger = new VmSpec("web", "libvirt", 4, 1024, 0, null, null);
    Decision d = engine.onCommand(vm, reconfigure("op-rc", bigger), now);
    assertThat(states(d)).containsExactly(VmState.RECONFIGURING);
    assertThat(d.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.RECONFIGURE);
              assertThat(t.spec()).isEqualTo(bigger);
            });
    Vm reconfiguring = apply(vm, d);
    assertThat(reconfiguring.spec()).isEqualTo(SPEC);
    Decision done = engine.onTaskEvent(reconfiguring, ok(d.tasks().get(0), PowerState.ON), now);
    assertThat(states(done)).containsExactly(VmState.RUNNING);
    assertThat(done.events()).last().isInstanceOf(OperationSucceeded.class);
    Vm after = apply(reconfiguring, done);
    assertThat(after.spec()).isEqualTo(bigger);
    assertThat(after.operation()).isNull();
  }

  @Test
  void aReconfigurationTheProviderCannotDoLeavesTheSpecAsItWas() {
    Vm vm = running();
    Decision d =
        engine.onCommand(
            vm, reconfigure("op-rc", new VmSpec("web", "libvirt", 64, 256, 0, null, null)), now);
    Vm reconfiguring = apply(vm, d);
    Vm refused =
        apply(
            reconfiguring,
            engine.onTaskEvent(
                reconfiguring, fail(d.tasks().get(0), ErrorType.NOT_SUPPORTED), now));
    assertThat(refused.state()).isEqualTo(VmState.RUNNING);
    assertThat(refused.spec()).isEqualTo(SPEC);
    assertThat(refused.lastError().type()).isEqualTo(ErrorType.NOT_SUPPORTED);
  }

  @Test
  void reconfigureChangesSizesOnlyAndNeverShrinksADisk() {
    Vm vm = running();
    for (VmSpec bad :
        new VmSpec[] {
          null,
          new VmSpec("other", "libvirt", 1, 256, 0, null, null),
          new VmSpec("web", "vsphere", 1, 256, 0, null, null)
        }) {
      assertThat(engine.onCommand(vm, reconfigure("x", bad), now).events())
          .singleElement()
          .isInstanceOfSatisfying(
              CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID));
    }
    Vm withDisk = vm.withSpec(new VmSpec("web", "libvirt", 1, 256, 10, null, null));
    assertThat(
            engine
                .onCommand(
                    withDisk,
                    reconfigure("x", new VmSpec("web", "libvirt", 1, 256, 5, null, null)),
                    now)
                .events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.message()).contains("cannot shrink"));
  }

  private static VmCommand snap(String op, CommandType type, String sid) {
    return new VmCommand(op, "vm-1", "t1", type, T0, null, null, null, null, sid, "before-upgrade");
  }

  private static boolean locked(Vm vm) {
    return vm.conditions().stream().anyMatch(c -> c.type().equals(Vm.LOCKED) && c.status());
  }

  @Test
  void aSnapshotLocksTheVmWithoutChangingItsStateAndEndsSucceeded() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, snap("op-s1", CommandType.SNAPSHOT_CREATE, "s1"), now);
    assertThat(states(d)).isEmpty();
    assertThat(d.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.SNAPSHOT_CREATE);
              assertThat(t.snapshotId()).isEqualTo("s1");
            });
    Vm taking = apply(vm, d);
    assertThat(taking.state()).isEqualTo(VmState.RUNNING);
    assertThat(locked(taking)).isTrue();
    assertThat(taking.snapshots())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.phase()).isEqualTo(SnapshotView.SnapshotPhase.IN_PROGRESS);
              assertThat(s.name()).isEqualTo("before-upgrade");
            });
    // one operation per VM holds for sub-resources too
    assertThat(engine.onCommand(taking, cmd("op-x", CommandType.REBOOT), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.CONFLICT));
    Decision done = engine.onTaskEvent(taking, ok(d.tasks().get(0), PowerState.ON), now);
    assertThat(done.events()).last().isInstanceOf(OperationSucceeded.class);
    Vm taken = apply(taking, done);
    assertThat(taken.state()).isEqualTo(VmState.RUNNING);
    assertThat(taken.operation()).isNull();
    assertThat(locked(taken)).isFalse();
    assertThat(taken.snapshots().get(0).phase()).isEqualTo(SnapshotView.SnapshotPhase.SUCCEEDED);
  }

  @Test
  void revertFollowsThePowerTheProviderReportsAndDeleteRemovesTheSnapshot() {
    Vm vm = running();
    Decision create = engine.onCommand(vm, snap("op-s1", CommandType.SNAPSHOT_CREATE, "s1"), now);
    vm = apply(vm, create);
    vm = apply(vm, engine.onTaskEvent(vm, ok(create.tasks().get(0), PowerState.ON), now));
    assertThat(
            engine.onCommand(vm, snap("op-x", CommandType.SNAPSHOT_REVERT, "nope"), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.NOT_FOUND));
    Decision revert = engine.onCommand(vm, snap("op-r", CommandType.SNAPSHOT_REVERT, "s1"), now);
    vm = apply(vm, revert);
    Decision reverted = engine.onTaskEvent(vm, ok(revert.tasks().get(0), PowerState.OFF), now);
    assertThat(states(reverted)).containsExactly(VmState.STOPPED);
    vm = apply(vm, reverted);
    assertThat(locked(vm)).isFalse();
    Decision delete = engine.onCommand(vm, snap("op-d", CommandType.SNAPSHOT_DELETE, "s1"), now);
    vm = apply(vm, delete);
    assertThat(vm.snapshots().get(0).phase()).isEqualTo(SnapshotView.SnapshotPhase.DELETING);
    // already gone on the provider counts as deleted
    vm = apply(vm, engine.onTaskEvent(vm, fail(delete.tasks().get(0), ErrorType.NOT_FOUND), now));
    assertThat(vm.snapshots()).isEmpty();
    assertThat(vm.state()).isEqualTo(VmState.STOPPED);
  }

  @Test
  void aFailedOrTimedOutSnapshotIsMarkedFailedAndTheVmIsUnharmed() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, snap("op-s1", CommandType.SNAPSHOT_CREATE, "s1"), now);
    Vm taking = apply(vm, d);
    Vm refused =
        apply(
            taking,
            engine.onTaskEvent(taking, fail(d.tasks().get(0), ErrorType.NOT_SUPPORTED), now));
    assertThat(refused.state()).isEqualTo(VmState.RUNNING);
    assertThat(locked(refused)).isFalse();
    assertThat(refused.snapshots().get(0).phase()).isEqualTo(SnapshotView.SnapshotPhase.FAILED);
    Vm timedOut = apply(taking, engine.onTimer(taking, taking.operation().deadline()));
    assertThat(timedOut.state()).isEqualTo(VmState.RUNNING);
    assertThat(timedOut.operation()).isNull();
    assertThat(timedOut.snapshots().get(0).phase()).isEqualTo(SnapshotView.SnapshotPhase.FAILED);
  }

  @Test
  void deletingTheVmPreEmptsASnapshotAndUnlocksIt() {
    Vm vm = running();
    Vm taking =
        apply(vm, engine.onCommand(vm, snap("op-s1", CommandType.SNAPSHOT_CREATE, "s1"), now));
    Vm deleting = apply(taking, engine.onCommand(taking, cmd("op-d", CommandType.DELETE), now));
    assertThat(deleting.state()).isEqualTo(VmState.DELETING);
    assertThat(locked(deleting)).isFalse();
  }

  // ---------------------------------------------------------------- clone, export, migrate

  private static VmCommand clone(String op, String target, String snapshotId) {
    return new VmCommand(
        op,
        "vm-1",
        "t1",
        CommandType.CLONE,
        T0,
        null,
        null,
        null,
        null,
        null,
        null,
        new CloneArgs(target, "web-copy", snapshotId),
        null,
        null);
  }

  private static VmCommand export(String op, String snapshotId) {
    return new VmCommand(
        op,
        "vm-1",
        "t1",
        CommandType.DISK_EXPORT,
        T0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        new DiskExportArgs("file:///srv/x.qcow2", "qcow2", null, snapshotId));
  }

  private static VmCommand migrate(String op, String host) {
    return new VmCommand(
        op,
        "vm-1",
        "t1",
        CommandType.MIGRATE,
        T0,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        host,
        null);
  }

  private static TaskEvent okWith(TaskRequested task, PowerState power, OperationResult result) {
    return ok(task, power).withResult(result);
  }

  @Test
  void aCloneLocksTheSourceAndMakesANewStoppedVmOfItsOwn() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, clone("op-cl", "vm-2", null), now);
    assertThat(states(d)).isEmpty();
    TaskRequested task = d.tasks().get(0);
    assertThat(task.action()).isEqualTo(TaskAction.CLONE);
    assertThat(task.cloneTo()).isEqualTo(new CloneArgs("vm-2", "web-copy", null));
    assertThat(task.snapshotId()).isNull();
    Vm cloning = apply(vm, d);
    assertThat(cloning.state()).isEqualTo(VmState.RUNNING);
    assertThat(locked(cloning)).isTrue();
    assertThat(engine.onCommand(cloning, cmd("op-x", CommandType.STOP), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.CONFLICT));
    Decision done =
        engine.onTaskEvent(
            cloning, okWith(task, null, OperationResult.clone("vm-2", "dom-2")), now);
    Vm after = apply(cloning, done);
    assertThat(locked(after)).isFalse();
    assertThat(after.providerRef()).isEqualTo("dom-1");
    assertThat(done.created())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.id()).isEqualTo("vm-2");
              assertThat(c.state()).isEqualTo(VmState.STOPPED);
              assertThat(c.operation()).isNull();
              assertThat(c.providerRef()).isEqualTo("dom-2");
              assertThat(c.spec().name()).isEqualTo("web-copy");
              assertThat(c.spec().cpus()).isEqualTo(SPEC.cpus());
              assertThat(c.tenantId()).isEqualTo("t1");
            });
    assertThat(done.events())
        .anySatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        StateChanged.class,
                        sc -> {
                          assertThat(sc.vmId()).isEqualTo("vm-2");
                          assertThat(sc.to()).isEqualTo(VmState.STOPPED);
                        }));
    assertThat(done.events())
        .last()
        .isInstanceOfSatisfying(
            OperationSucceeded.class, s -> assertThat(s.result().vmId()).isEqualTo("vm-2"));
  }

  @Test
  void aCloneFromAMissingOrUnfinishedSnapshotOrOntoItselfIsRejected() {
    Vm vm = running();
    assertThat(engine.onCommand(vm, clone("op-1", "vm-2", "nope"), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.NOT_FOUND));
    assertThat(engine.onCommand(vm, clone("op-2", "vm-1", null), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID));
    Vm taking =
        apply(vm, engine.onCommand(vm, snap("op-s1", CommandType.SNAPSHOT_CREATE, "s1"), now));
    Vm failed = apply(taking, engine.onTimer(taking, taking.operation().deadline()));
    assertThat(engine.onCommand(failed, clone("op-3", "vm-2", "s1"), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_STATE));
  }

  @Test
  void aFailedOrTimedOutCloneIsDiscardedBeforeTheOperationFails() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, clone("op-cl", "vm-2", null), now);
    Vm cloning = apply(vm, d);
    for (Decision failure :
        List.of(
            engine.onTaskEvent(cloning, fail(d.tasks().get(0), ErrorType.CONFLICT), now),
            engine.onTimer(cloning, cloning.operation().deadline()))) {
      assertThat(failure.created()).isEmpty();
      TaskRequested discard = failure.tasks().get(0);
      assertThat(discard.action()).isEqualTo(TaskAction.CLONE_DISCARD);
      assertThat(discard.cloneTo().targetVmId()).isEqualTo("vm-2");
      Vm discarding = apply(cloning, failure);
      assertThat(locked(discarding)).isTrue();
      // the clone was never made: NOT_FOUND counts as discarded
      Decision end = engine.onTaskEvent(discarding, fail(discard, ErrorType.NOT_FOUND), now);
      Vm after = apply(discarding, end);
      assertThat(after.state()).isEqualTo(VmState.RUNNING);
      assertThat(locked(after)).isFalse();
      assertThat(end.events()).last().isInstanceOf(OperationFailed.class);
    }
  }

  @Test
  void deletingTheSourceDuringACloneDiscardsTheCloneFirst() {
    Vm vm = running();
    Vm cloning = apply(vm, engine.onCommand(vm, clone("op-cl", "vm-2", null), now));
    Decision del = engine.onCommand(cloning, cmd("op-d", CommandType.DELETE), now);
    Vm deleting = apply(cloning, del);
    assertThat(deleting.state()).isEqualTo(VmState.DELETING);
    assertThat(locked(deleting)).isFalse();
    TaskRequested discard = del.tasks().get(0);
    assertThat(discard.action()).isEqualTo(TaskAction.CLONE_DISCARD);
    assertThat(discard.cloneTo().targetVmId()).isEqualTo("vm-2");
    Decision next = engine.onTaskEvent(deleting, ok(discard, null), now);
    assertThat(next.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.DELETE));
    deleting = apply(deleting, next);
    Vm deleted =
        apply(
            deleting,
            engine.onTaskEvent(deleting, ok(next.tasks().get(0), PowerState.NOT_FOUND), now));
    assertThat(deleted.state()).isEqualTo(VmState.DELETED);
  }

  @Test
  void aDiskExportLocksTheVmAndReportsTheChecksum() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, export("op-x", null), now);
    TaskRequested task = d.tasks().get(0);
    assertThat(task.action()).isEqualTo(TaskAction.DISK_EXPORT);
    assertThat(task.export().url()).isEqualTo("file:///srv/x.qcow2");
    Vm exporting = apply(vm, d);
    assertThat(locked(exporting)).isTrue();
    OperationResult written =
        new OperationResult("file:///srv/x.qcow2", "qcow2", 1024L, "ab".repeat(32), null, null);
    Decision done = engine.onTaskEvent(exporting, okWith(task, null, written), now);
    Vm after = apply(exporting, done);
    assertThat(locked(after)).isFalse();
    assertThat(done.events())
        .last()
        .isInstanceOfSatisfying(
            OperationSucceeded.class, s -> assertThat(s.result()).isEqualTo(written));
    Decision refused =
        engine.onTaskEvent(
            apply(after, engine.onCommand(after, export("op-y", null), now)),
            fail(
                engine.onCommand(after, export("op-y", null), now).tasks().get(0),
                ErrorType.INVALID_SPEC),
            now);
    assertThat(refused.events()).last().isInstanceOf(OperationFailed.class);
    assertThat(locked(refused.vm())).isFalse();
  }

  @Test
  void aMigrationMovesTheVmToItsNewHostAndBack() {
    Vm vm = running();
    assertThat(engine.onCommand(vm, migrate("op-0", " "), now).events())
        .singleElement()
        .isInstanceOf(CommandRejected.class);
    Decision d = engine.onCommand(vm, migrate("op-m", "host-b"), now);
    assertThat(states(d)).containsExactly(VmState.MIGRATING);
    TaskRequested task = d.tasks().get(0);
    assertThat(task.action()).isEqualTo(TaskAction.MIGRATE);
    assertThat(task.targetHost()).isEqualTo("host-b");
    assertThat(task.host()).isNull();
    Vm migrating = apply(vm, d);
    Decision done =
        engine.onTaskEvent(
            migrating, okWith(task, PowerState.ON, OperationResult.host("host-b")), now);
    assertThat(states(done)).containsExactly(VmState.RUNNING);
    Vm moved = apply(migrating, done);
    assertThat(moved.spec().host()).isEqualTo("host-b");
    assertThat(moved.operation()).isNull();
    // later tasks go to the new host; migrating to where it is is refused
    assertThat(engine.onCommand(moved, cmd("op-r", CommandType.REBOOT), now).tasks().get(0).host())
        .isEqualTo("host-b");
    assertThat(engine.onCommand(moved, migrate("op-m2", "host-b"), now).events())
        .singleElement()
        .isInstanceOf(CommandRejected.class);
    // a clean failure leaves it where it was
    Decision again = engine.onCommand(moved, migrate("op-m3", "host-a"), now);
    Vm migrating2 = apply(moved, again);
    Vm stayed =
        apply(
            migrating2,
            engine.onTaskEvent(migrating2, fail(again.tasks().get(0), ErrorType.CONFLICT), now));
    assertThat(stayed.state()).isEqualTo(VmState.RUNNING);
    assertThat(stayed.spec().host()).isEqualTo("host-b");
  }

  @Test
  void aTimedOutOrAbortedMigrationIsCancelledAndTheVmStaysWhereItIs() {
    Vm vm = running();
    Decision d = engine.onCommand(vm, migrate("op-m", "host-b"), now);
    Vm migrating = apply(vm, d);
    // abort: the abort is taken at once, the migration is cancelled
    VmCommand abort =
        new VmCommand("op-a", "vm-1", "t1", CommandType.ABORT, T0, null, null, null, null);
    Decision aborted = engine.onCommand(migrating, abort, now);
    assertThat(aborted.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.MIGRATE_CANCEL);
              assertThat(t.targetHost()).isEqualTo("host-b");
            });
    assertThat(aborted.events())
        .anySatisfy(e -> assertThat(e).isInstanceOf(OperationSucceeded.class));
    Vm cancelling = apply(migrating, aborted);
    assertThat(cancelling.state()).isEqualTo(VmState.MIGRATING);
    // the migration's own late report is stale now
    assertThat(engine.onTaskEvent(cancelling, ok(d.tasks().get(0), PowerState.ON), now).changed())
        .isFalse();
    Decision back =
        engine.onTaskEvent(
            cancelling,
            okWith(aborted.tasks().get(0), PowerState.ON, OperationResult.host("host-a")),
            now);
    assertThat(states(back)).containsExactly(VmState.RUNNING);
    assertThat(back.events()).last().isInstanceOf(OperationFailed.class);
    assertThat(apply(cancelling, back).spec().host()).isEqualTo("host-a");

    // timeout: the same, with a timed-out event; a cancel that came too late means it arrived
    Decision timedOut = engine.onTimer(migrating, migrating.operation().deadline());
    assertThat(timedOut.events()).first().isInstanceOf(OperationTimedOut.class);
    Vm cancelling2 = apply(migrating, timedOut);
    Decision arrived =
        engine.onTaskEvent(
            cancelling2,
            okWith(timedOut.tasks().get(0), PowerState.ON, OperationResult.host("host-b")),
            now);
    assertThat(arrived.events()).last().isInstanceOf(OperationSucceeded.class);
    assertThat(apply(cancelling2, arrived).spec().host()).isEqualTo("host-b");

    // the worker giving up at the deadline (TIMEOUT, no time left to retry): the same timeout
    // and cancel, since the migration may still run
    Decision workerTimeout =
        engine.onTaskEvent(
            migrating, fail(d.tasks().get(0), ErrorType.TIMEOUT), migrating.operation().deadline());
    assertThat(workerTimeout.events())
        .anySatisfy(e -> assertThat(e).isInstanceOf(OperationTimedOut.class));
    assertThat(workerTimeout.tasks())
        .singleElement()
        .satisfies(t -> assertThat(t.action()).isEqualTo(TaskAction.MIGRATE_CANCEL));

    // abort with nothing to abort
    assertThat(engine.onCommand(vm, abort, now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class,
            r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_STATE));
  }

  @Test
  void deletingAMigratingVmCancelsTheMigrationThenDeletesWhereverItIs() {
    Vm vm = running();
    Vm migrating = apply(vm, engine.onCommand(vm, migrate("op-m", "host-b"), now));
    Decision del = engine.onCommand(migrating, cmd("op-d", CommandType.DELETE), now);
    TaskRequested cancel = del.tasks().get(0);
    assertThat(cancel.action()).isEqualTo(TaskAction.MIGRATE_CANCEL);
    Vm deleting = apply(migrating, del);
    assertThat(deleting.state()).isEqualTo(VmState.DELETING);
    Decision next =
        engine.onTaskEvent(
            deleting, okWith(cancel, PowerState.ON, OperationResult.host("host-b")), now);
    assertThat(next.tasks())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.action()).isEqualTo(TaskAction.DELETE);
              assertThat(t.host()).isEqualTo("host-b");
            });
  }

  // ---------------------------------------------------------------- adopt

  private static final VmSpec FOUND =
      new VmSpec("found", "libvirt", 2, 512, 0, null, Map.of("team", "a"), "host-a", null)
          .withDriftPolicy(DriftPolicy.ALERT);

  private static VmCommand adopt(String op, PowerState power) {
    return new VmCommand(
        op,
        "vm-1",
        "t1",
        CommandType.ADOPT,
        T0,
        FOUND,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        new AdoptArgs(power, "dom-9", List.of("10.0.0.9")));
  }

  @Test
  void adoptMakesAVmInTheStateItsPowerImpliesWithNothingLeftToDo() {
    for (PowerState power :
        new PowerState[] {PowerState.ON, PowerState.OFF, PowerState.CRASHED, PowerState.PAUSED}) {
      VmState expected =
          switch (power) {
            case ON -> VmState.RUNNING;
            case PAUSED -> VmState.SUSPENDED;
            default -> VmState.STOPPED;
          };
      Decision d = engine.onCommand(null, adopt("op-a", power), now);
      Vm vm = apply(null, d);
      assertThat(vm.state()).isEqualTo(expected);
      assertThat(vm.operation()).isNull();
      assertThat(vm.spec()).isEqualTo(FOUND);
      assertThat(vm.tenantId()).isEqualTo("t1");
      assertThat(vm.providerRef()).isEqualTo("dom-9");
      assertThat(vm.ips()).containsExactly("10.0.0.9");
      assertThat(vm.observedPower()).isEqualTo(power);
      assertThat(vm.lastOperationId()).isEqualTo("op-a");
      assertThat(vm.version()).isEqualTo(1);
      assertThat(d.tasks()).isEmpty();
      assertThat(d.events())
          .containsExactly(
              new CommandAccepted("vm-1", "op-a", CommandType.ADOPT, now),
              new OperationStarted("vm-1", "op-a", CommandType.ADOPT, now, now),
              new StateChanged("vm-1", null, expected, 1, "op-a", "adopted", now),
              new OperationSucceeded("vm-1", "op-a", CommandType.ADOPT, now));
    }
  }

  @Test
  void adoptRefusesALiveVmAVmWithoutPowerAndAnIncompleteCommand() {
    Vm live = running();
    assertThat(engine.onCommand(live, adopt("op-a", PowerState.ON), now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.CONFLICT));
    for (PowerState power : new PowerState[] {PowerState.UNKNOWN, PowerState.NOT_FOUND, null}) {
      assertThat(engine.onCommand(null, adopt("op-a", power), now).events())
          .singleElement()
          .isInstanceOfSatisfying(
              CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID));
    }
    VmCommand noSpec =
        new VmCommand("op-a", "vm-1", "t1", CommandType.ADOPT, T0, null, null, null, null);
    assertThat(engine.onCommand(null, noSpec, now).events())
        .singleElement()
        .isInstanceOfSatisfying(
            CommandRejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID));
  }

  @Test
  void theSameAdoptAgainChangesNothingAndADeletedVmCanBeAdoptedAgain() {
    Vm adopted = apply(null, engine.onCommand(null, adopt("op-a", PowerState.ON), now));
    assertThat(engine.onCommand(adopted, adopt("op-a", PowerState.ON), now))
        .isEqualTo(Decision.none());
    // Given the VM was deleted
    Decision del = engine.onCommand(adopted, cmd("op-d", CommandType.DELETE), now);
    Vm deleting = apply(adopted, del);
    Vm deleted =
        apply(
            deleting,
            engine.onTaskEvent(deleting, ok(del.tasks().get(0), PowerState.NOT_FOUND), now));
    assertThat(deleted.state()).isEqualTo(VmState.DELETED);
    // When it is adopted again, Then it lives again, its sequence continuing
    Decision again = engine.onCommand(deleted, adopt("op-b", PowerState.OFF), now);
    Vm back = apply(deleted, again);
    assertThat(back.state()).isEqualTo(VmState.STOPPED);
    assertThat(back.version()).isGreaterThan(deleted.version());
    assertThat(back.lastOperationId()).isEqualTo("op-b");
    assertThat(back.lastError()).isNull();
    assertThat(back.observedPower()).isEqualTo(PowerState.OFF);
  }

  @Test
  void reconfigureKeepsTheDriftPolicyUnlessTheNewSpecNamesOne() {
    Vm vm = running().withSpec(SPEC.withDriftPolicy(DriftPolicy.ENFORCE));
    VmSpec bigger = new VmSpec("web", "libvirt", 4, 1024, 0, null, null);
    Decision d = engine.onCommand(vm, reconfigure("op-rc", bigger), now);
    Vm reconfiguring = apply(vm, d);
    assertThat(d.tasks().get(0).spec().driftPolicy()).isEqualTo(DriftPolicy.ENFORCE);
    Vm after =
        apply(
            reconfiguring,
            engine.onTaskEvent(reconfiguring, ok(d.tasks().get(0), PowerState.ON), now));
    assertThat(after.spec()).isEqualTo(bigger.withDriftPolicy(DriftPolicy.ENFORCE));
    // a spec that names a policy changes it
    Decision toAlert =
        engine.onCommand(
            after, reconfigure("op-rc2", bigger.withDriftPolicy(DriftPolicy.ALERT)), now);
    Vm alerting = apply(after, toAlert);
    Vm done =
        apply(
            alerting, engine.onTaskEvent(alerting, ok(toAlert.tasks().get(0), PowerState.ON), now));
    assertThat(done.spec().effectiveDriftPolicy()).isEqualTo(DriftPolicy.ALERT);
  }
}
