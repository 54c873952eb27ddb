package dev.virtsaga.orchestrator.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.CircuitChanged;
import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.orchestrator.Operation;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.saga.DriftEngine.Reachability;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Invariants 4 and 5: what the watcher's observations do to a VM, every branch. */
class DriftEngineTest {
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

  private final SagaEngine sagas = new SagaEngine(SETTINGS, new Random(7));
  private final DriftEngine drift = new DriftEngine(sagas);

  /** When commands are decided. */
  private static final Instant T1 = T0.plusSeconds(10);

  /** When the watcher sees things (after the commands). */
  private static final Instant SEEN = T0.plusSeconds(20);

  /** When the orchestrator decides about a sighting. */
  private static final Instant NOW = T0.plusSeconds(21);

  // ---------------------------------------------------------------- helpers

  private static Vm vm(VmState state, PowerState power, DriftPolicy policy) {
    return new Vm(
        "vm-1",
        "t1",
        SPEC.withDriftPolicy(policy),
        state,
        null,
        "dom-1",
        power,
        List.of(),
        List.of("10.0.0.1"),
        "op-c",
        null,
        5,
        T0,
        T0);
  }

  private static Vm vm(VmState state, PowerState power) {
    return vm(state, power, null);
  }

  /** A sighting; a VM seen on reports its guest's address (as the VMs of {@link #vm} have). */
  private static VmObserved seen(PowerState power, Instant at) {
    return new VmObserved(
        "vm-1",
        "libvirt",
        VmObserved.Kind.MODIFIED,
        power,
        at,
        "rv-1",
        power == PowerState.ON ? List.of("10.0.0.1") : null,
        null,
        null,
        null);
  }

  private static VmObserved seen(PowerState power) {
    return seen(power, SEEN);
  }

  private static VmObserved seen(PowerState power, List<String> ips, String ref) {
    return new VmObserved(
        "vm-1", "libvirt", VmObserved.Kind.MODIFIED, power, SEEN, "rv-1", ips, ref, null, true);
  }

  private static VmObserved gone() {
    return new VmObserved(
        "vm-1",
        "libvirt",
        VmObserved.Kind.DELETED,
        PowerState.NOT_FOUND,
        SEEN,
        "rv-2",
        null,
        null,
        null,
        null);
  }

  private static VmCommand cmd(String op, CommandType type) {
    return new VmCommand(op, "vm-1", "t1", type, T1, null, null, null, null);
  }

  private static TaskEvent ok(TaskRequested task, PowerState power) {
    return TaskEvent.reporting(task, TaskStatus.SUCCEEDED, NOW, null, null, power, null, null);
  }

  /** Applies a decision and checks the invariants every decision must keep. */
  private static Vm apply(Vm before, Decision d) {
    if (!d.changed()) {
      return before;
    }
    Vm vm = d.vm();
    if (vm.state().isTransitional()) {
      assertThat(vm.operation()).isNotNull();
    }
    assertThat(vm.version()).isGreaterThan(before.version());
    long lastVersion = before.version();
    for (LifecycleEvent e : d.events()) {
      assertThat(e.vmId()).isEqualTo(vm.id());
      if (e instanceof StateChanged sc) {
        assertThat(sc.version()).isGreaterThan(lastVersion);
        lastVersion = sc.version();
      }
    }
    assertThat(lastVersion).isLessThanOrEqualTo(vm.version());
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

  private static <T> T only(Decision d, Class<T> type) {
    List<T> found = d.events().stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).hasSize(1);
    return found.get(0);
  }

  /** The VM after a command, with the decision that started its operation. */
  private record Started(Vm vm, Decision decision) {
    TaskRequested task() {
      return decision.tasks().get(0);
    }
  }

  private Started command(Vm vm, CommandType type) {
    Decision d = sagas.onCommand(vm, cmd("op-" + type.name().toLowerCase(), type), T1);
    assertThat(d.changed()).as("%s accepted", type).isTrue();
    return new Started(apply(vm, d), d);
  }

  /** Only what was seen changed: same state, operation and lifecycle, a new version. */
  private static void assertRecordedOnly(Vm before, Decision d) {
    assertThat(d.changed()).isTrue();
    assertThat(d.events()).isEmpty();
    assertThat(d.tasks()).isEmpty();
    assertThat(d.vm().state()).isEqualTo(before.state());
    assertThat(d.vm().operation()).isEqualTo(before.operation());
    assertThat(d.vm().version()).isEqualTo(before.version() + 1);
    assertThat(d.vm().updatedAt()).isEqualTo(NOW);
  }

  // ---------------------------------------------------------------- what is ignored

  @Test
  void aVmVirtSagaDoesNotKnowIsIgnored() {
    // the gateway lists those for adoption
    assertThat(drift.onObserved(null, seen(PowerState.ON), NOW).changed()).isFalse();
    assertThat(drift.onObserved(null, gone(), NOW)).isEqualTo(Decision.none());
  }

  @Test
  void aDeletedVmIgnoresObservations() {
    Vm deleted = vm(VmState.DELETED, PowerState.NOT_FOUND);
    for (PowerState p : PowerState.values()) {
      assertThat(drift.onObserved(deleted, seen(p), NOW)).isEqualTo(Decision.none());
    }
    assertThat(drift.onObserved(deleted, gone(), NOW)).isEqualTo(Decision.none());
  }

  @Test
  void aSightingFromAnotherProviderIsIgnored() {
    VmObserved elsewhere =
        new VmObserved(
            "vm-1",
            "vsphere",
            VmObserved.Kind.MODIFIED,
            PowerState.OFF,
            SEEN,
            null,
            null,
            null,
            null,
            null);
    assertThat(drift.onObserved(vm(VmState.RUNNING, PowerState.ON), elsewhere, NOW))
        .isEqualTo(Decision.none());
  }

  @Test
  void anObservationEqualToWhatIsStoredChangesNothing() {
    // Given VMs whose stored power, IPs and reference match what a relist reports
    for (VmState state : List.of(VmState.RUNNING, VmState.STOPPED, VmState.SUSPENDED)) {
      PowerState power = DriftEngine.expectedPower(state);
      Vm vm = vm(state, power);
      // Then none of these sightings writes anything
      assertThat(drift.onObserved(vm, seen(power), NOW)).isEqualTo(Decision.none());
      assertThat(drift.onObserved(vm, seen(power, List.of("10.0.0.1"), "dom-1"), NOW))
          .isEqualTo(Decision.none());
      assertThat(drift.onObserved(vm, seen(power, List.of(), null), NOW))
          .as("no IPs reported keeps the known ones")
          .isEqualTo(Decision.none());
      assertThat(drift.onObserved(vm, seen(power, null, "other-ref"), NOW))
          .as("a known provider reference is kept")
          .isEqualTo(Decision.none());
    }
  }

  @Test
  void aRelistOfTenThousandUnchangedVmsWritesNothing() {
    int writes = 0;
    for (int i = 0; i < 10_000; i++) {
      Vm vm = vm(VmState.RUNNING, PowerState.ON).seen(T0);
      if (drift.onObserved(vm, seen(PowerState.ON, List.of("10.0.0.1"), "dom-1"), NOW).changed()) {
        writes++;
      }
    }
    assertThat(writes).isZero();
  }

  @Test
  void aSightingOlderThanWhatIsStoredIsStale() {
    Vm vm = vm(VmState.RUNNING, PowerState.ON).seen(SEEN);
    assertThat(drift.onObserved(vm, seen(PowerState.OFF, SEEN.minusMillis(1)), NOW))
        .isEqualTo(Decision.none());
    VmObserved oldGone =
        new VmObserved(
            "vm-1",
            "libvirt",
            VmObserved.Kind.DELETED,
            PowerState.NOT_FOUND,
            SEEN.minusSeconds(5),
            null,
            null,
            null,
            null,
            null);
    assertThat(drift.onObserved(vm, oldGone, NOW)).isEqualTo(Decision.none());
    // the same instant is not older
    assertThat(drift.onObserved(vm, seen(PowerState.OFF, SEEN), NOW).changed()).isTrue();
  }

  // ---------------------------------------------------------------- recording

  @Test
  void whatDiffersIsRecordedWithoutChangingTheState() {
    // Given a running VM without a provider reference
    Vm vm =
        new Vm(
            "vm-1",
            "t1",
            SPEC,
            VmState.RUNNING,
            null,
            null,
            PowerState.ON,
            List.of(),
            List.of(),
            "op-c",
            null,
            5,
            T0,
            T0);
    // When the watcher reports its IPs and reference
    Decision d = drift.onObserved(vm, seen(PowerState.ON, List.of("10.0.0.7"), "dom-7"), NOW);
    // Then they are recorded, with the time they were seen, and nothing else happens
    assertRecordedOnly(vm, d);
    assertThat(d.vm().ips()).containsExactly("10.0.0.7");
    assertThat(d.vm().providerRef()).isEqualTo("dom-7");
    assertThat(d.vm().observedAt()).isEqualTo(SEEN);
    assertThat(d.vm().observedPower()).isEqualTo(PowerState.ON);
    // And the same sighting again changes nothing
    assertThat(drift.onObserved(d.vm(), seen(PowerState.ON, List.of("10.0.0.7"), "dom-7"), NOW))
        .isEqualTo(Decision.none());
  }

  @Test
  void aVmWhoseStateImpliesNoPowerOnlyRecords() {
    // FAILED implies no power: whatever is seen is only recorded
    Vm failed = vm(VmState.FAILED, PowerState.UNKNOWN, DriftPolicy.ENFORCE);
    for (PowerState p : List.of(PowerState.ON, PowerState.OFF, PowerState.PAUSED)) {
      Decision d = drift.onObserved(failed, seen(p), NOW);
      assertRecordedOnly(failed, d);
      assertThat(d.vm().observedPower()).isEqualTo(p);
    }
  }

  @Test
  void anUnknownPowerIsOnlyRecorded() {
    for (DriftPolicy policy : DriftPolicy.values()) {
      Vm vm = vm(VmState.RUNNING, PowerState.ON, policy);
      Decision d = drift.onObserved(vm, seen(PowerState.UNKNOWN), NOW);
      assertRecordedOnly(vm, d);
      assertThat(d.vm().observedPower()).isEqualTo(PowerState.UNKNOWN);
    }
  }

  @Test
  void aCrashedVmCountsAsOffSoAStoppedVmThatCrashedHasNotDrifted() {
    for (DriftPolicy policy : DriftPolicy.values()) {
      Vm vm = vm(VmState.STOPPED, PowerState.OFF, policy);
      Decision d = drift.onObserved(vm, seen(PowerState.CRASHED), NOW);
      assertRecordedOnly(vm, d);
      assertThat(d.vm().observedPower()).isEqualTo(PowerState.CRASHED);
    }
  }

  @Test
  void aPendingVmOnlyRecords() {
    Operation create =
        new Operation(
            "op-c",
            CommandType.CREATE,
            "provision",
            1,
            T0.plusSeconds(60),
            T0,
            VmState.PENDING,
            false,
            null,
            null,
            null,
            null,
            null);
    Vm pending =
        new Vm(
            "vm-1",
            "t1",
            SPEC,
            VmState.PENDING,
            create,
            null,
            PowerState.UNKNOWN,
            List.of(),
            List.of(),
            "op-c",
            null,
            1,
            T0,
            T0);
    for (VmObserved o : List.of(seen(PowerState.ON), seen(PowerState.OFF), gone())) {
      Decision d = drift.onObserved(pending, o, NOW);
      assertRecordedOnly(pending, d);
    }
  }

  // ---------------------------------------------------------------- an operation is running

  @Test
  void aStartIsCompletedBySeeingTheVmOnExactlyAsItsTaskWouldAndTheLateTaskIsIgnored() {
    Started start = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    assertThat(start.vm().state()).isEqualTo(VmState.STARTING);
    // When the watcher sees it on before the worker reports
    Decision byObservation = drift.onObserved(start.vm(), seen(PowerState.ON), NOW);
    Vm done = apply(start.vm(), byObservation);
    // Then the operation succeeds with the same events and state as the task's success
    Decision byTask = sagas.onTaskEvent(start.vm(), ok(start.task(), PowerState.ON), NOW);
    assertThat(byObservation.events()).isEqualTo(byTask.events());
    assertThat(states(byObservation)).containsExactly(VmState.RUNNING);
    assertThat(byObservation.events()).last().isInstanceOf(OperationSucceeded.class);
    assertThat(done.state()).isEqualTo(byTask.vm().state());
    assertThat(done.operation()).isNull();
    assertThat(done.observedPower()).isEqualTo(PowerState.ON);
    assertThat(done.observedAt()).isEqualTo(SEEN);
    assertThat(SagaEngine.nextTimer(done)).isNull();
    // And the worker's late success finds the operation over: nothing happens
    assertThat(sagas.onTaskEvent(done, ok(start.task(), PowerState.ON), NOW.plusSeconds(1)))
        .isEqualTo(Decision.none());
    // And the same sighting again changes nothing
    assertThat(drift.onObserved(done, seen(PowerState.ON), NOW.plusSeconds(2)))
        .isEqualTo(Decision.none());
  }

  @Test
  void aVmSeenOnWithoutAnAddressDoesNotCompleteAStartItsTaskDoesWithTheAddress() {
    Started start = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    VmObserved bare =
        new VmObserved(
            "vm-1",
            "libvirt",
            VmObserved.Kind.MODIFIED,
            PowerState.ON,
            SEEN,
            "rv-1",
            List.of(),
            null,
            null,
            null);
    Decision d = drift.onObserved(start.vm(), bare, NOW);
    assertRecordedOnly(start.vm(), d);
    Vm seen = apply(start.vm(), d);
    assertThat(seen.state()).isEqualTo(VmState.STARTING);
    Decision byTask = sagas.onTaskEvent(seen, ok(start.task(), PowerState.ON), NOW.plusSeconds(1));
    assertThat(apply(seen, byTask).state()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void theLateTaskOfAnOperationAnObservationFinishedStillGivesTheVmItsIps() {
    // Given a start the watcher saw done before the worker reported (without the new IP)
    Started start = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    Vm done = apply(start.vm(), drift.onObserved(start.vm(), seen(PowerState.ON), NOW));
    assertThat(done.ips()).doesNotContain("10.0.0.9");
    // When the worker's success arrives with the guest's new IP
    TaskEvent late =
        TaskEvent.reporting(
            start.task(),
            TaskStatus.SUCCEEDED,
            NOW.plusSeconds(1),
            "dom-1",
            null,
            PowerState.ON,
            List.of("10.0.0.9"),
            null);
    Decision d = sagas.onTaskEvent(done, late, NOW.plusSeconds(1));
    // Then the IP is recorded, nothing else changes, no event is raised
    Vm after = apply(done, d);
    assertThat(after.ips()).containsExactly("10.0.0.9");
    assertThat(after.state()).isEqualTo(VmState.RUNNING);
    assertThat(after.operation()).isNull();
    assertThat(d.events()).isEmpty();
    assertThat(d.tasks()).isEmpty();
    // and again changes nothing; nor does the late report of an older operation
    assertThat(sagas.onTaskEvent(after, late, NOW.plusSeconds(2))).isEqualTo(Decision.none());
    Started stop = command(after, CommandType.STOP);
    Vm stopped =
        apply(
            stop.vm(), drift.onObserved(stop.vm(), seen(PowerState.OFF, SEEN.plusSeconds(5)), NOW));
    assertThat(sagas.onTaskEvent(stopped, late, NOW.plusSeconds(6))).isEqualTo(Decision.none());
  }

  @Test
  void aStopIsCompletedBySeeingTheVmOffWhetherGracefulOrForced() {
    for (Boolean force : new Boolean[] {null, Boolean.TRUE}) {
      Vm running = vm(VmState.RUNNING, PowerState.ON);
      Decision stop =
          sagas.onCommand(
              running,
              new VmCommand("op-stop", "vm-1", "t1", CommandType.STOP, T1, null, force, null, null),
              T1);
      Vm stopping = apply(running, stop);
      assertThat(stopping.operation().step()).isEqualTo(force == null ? "shutdown" : "power-off");
      Decision d = drift.onObserved(stopping, seen(PowerState.OFF), NOW);
      Vm stopped = apply(stopping, d);
      assertThat(states(d)).containsExactly(VmState.STOPPED);
      assertThat(only(d, OperationSucceeded.class).operationId()).isEqualTo("op-stop");
      assertThat(stopped.operation()).isNull();
      assertThat(sagas.onTaskEvent(stopped, ok(stop.tasks().get(0), PowerState.OFF), NOW))
          .isEqualTo(Decision.none());
    }
  }

  @Test
  void suspendAndResumeAreCompletedBySeeingTheirPower() {
    Started suspend = command(vm(VmState.RUNNING, PowerState.ON), CommandType.SUSPEND);
    Decision paused = drift.onObserved(suspend.vm(), seen(PowerState.PAUSED), NOW);
    Vm suspended = apply(suspend.vm(), paused);
    assertThat(suspended.state()).isEqualTo(VmState.SUSPENDED);
    assertThat(only(paused, OperationSucceeded.class).operation()).isEqualTo(CommandType.SUSPEND);

    Started resume = command(suspended, CommandType.RESUME);
    Decision on = drift.onObserved(resume.vm(), seen(PowerState.ON, NOW.plusSeconds(1)), NOW);
    Vm running = apply(resume.vm(), on);
    assertThat(running.state()).isEqualTo(VmState.RUNNING);
    assertThat(only(on, OperationSucceeded.class).operation()).isEqualTo(CommandType.RESUME);
    assertThat(sagas.onTaskEvent(running, ok(resume.task(), PowerState.ON), NOW))
        .isEqualTo(Decision.none());
  }

  @Test
  void aCreateIsCompletedBySeeingItOnInItsStartStepButNotWhileItIsProvisioned() {
    Decision create =
        sagas.onCommand(
            null,
            new VmCommand("op-c", "vm-1", "t1", CommandType.CREATE, T1, SPEC, null, null, null),
            T1);
    Vm provisioning = create.vm();
    // While it is being provisioned a sighting is only recorded
    Decision early = drift.onObserved(provisioning, seen(PowerState.ON), NOW);
    assertRecordedOnly(provisioning, early);
    Vm recorded = early.vm();
    // When the provider made it, the start step runs; seeing it on completes the create
    Decision provisioned =
        sagas.onTaskEvent(
            recorded,
            TaskEvent.reporting(
                create.tasks().get(0), TaskStatus.SUCCEEDED, NOW, "dom-1", null, null, null, null),
            NOW);
    Vm starting = apply(recorded, provisioned);
    assertThat(starting.state()).isEqualTo(VmState.STARTING);
    Decision on = drift.onObserved(starting, seen(PowerState.ON, NOW.plusSeconds(1)), NOW);
    Vm running = apply(starting, on);
    assertThat(running.state()).isEqualTo(VmState.RUNNING);
    assertThat(only(on, OperationSucceeded.class).operation()).isEqualTo(CommandType.CREATE);
    assertThat(sagas.onTaskEvent(running, ok(provisioned.tasks().get(0), PowerState.ON), NOW))
        .isEqualTo(Decision.none());
  }

  @Test
  void aDeleteIsNeverCompletedByObservationOnlyByItsTask() {
    Started delete = command(vm(VmState.RUNNING, PowerState.ON), CommandType.DELETE);
    assertThat(delete.vm().state()).isEqualTo(VmState.DELETING);
    Decision d = drift.onObserved(delete.vm(), gone(), NOW);
    assertRecordedOnly(delete.vm(), d);
    assertThat(d.vm().observedPower()).isEqualTo(PowerState.NOT_FOUND);
    // the worker's confirmation still deletes it
    Decision confirmed =
        sagas.onTaskEvent(d.vm(), ok(delete.task(), PowerState.NOT_FOUND), NOW.plusSeconds(1));
    assertThat(apply(d.vm(), confirmed).state()).isEqualTo(VmState.DELETED);
  }

  @Test
  void aSightingThatIsNotTheOperationsGoalIsOnlyRecorded() {
    record Case(VmState from, PowerState stored, CommandType type, PowerState seen) {}
    for (Case c :
        List.of(
            new Case(VmState.STOPPED, PowerState.OFF, CommandType.START, PowerState.PAUSED),
            new Case(VmState.STOPPED, PowerState.OFF, CommandType.START, PowerState.CRASHED),
            new Case(VmState.RUNNING, PowerState.ON, CommandType.STOP, PowerState.PAUSED),
            new Case(VmState.RUNNING, PowerState.ON, CommandType.STOP, PowerState.CRASHED),
            new Case(VmState.RUNNING, PowerState.ON, CommandType.REBOOT, PowerState.OFF),
            new Case(VmState.RUNNING, PowerState.ON, CommandType.SUSPEND, PowerState.OFF),
            new Case(VmState.SUSPENDED, PowerState.PAUSED, CommandType.RESUME, PowerState.OFF),
            new Case(VmState.STOPPED, PowerState.OFF, CommandType.START, PowerState.UNKNOWN))) {
      Started op = command(vm(c.from(), c.stored()), c.type());
      Decision d = drift.onObserved(op.vm(), seen(c.seen()), NOW);
      assertRecordedOnly(op.vm(), d);
      assertThat(d.vm().observedPower()).as("%s", c).isEqualTo(c.seen());
      // an observation never fails an operation: the worker's report still decides
      Decision byTask = sagas.onTaskEvent(d.vm(), ok(op.task(), null), NOW);
      assertThat(only(byTask, OperationSucceeded.class).operationId())
          .isEqualTo(op.vm().operation().id());
    }
    // a reboot cannot be told done from the power: seeing it on is only recorded
    Started reboot = command(vm(VmState.RUNNING, PowerState.OFF), CommandType.REBOOT);
    assertRecordedOnly(reboot.vm(), drift.onObserved(reboot.vm(), seen(PowerState.ON), NOW));
  }

  @Test
  void aLockedVmOnlyRecordsAndItsDriftIsHandledAtTheNextSightingAfterTheLockEnds() {
    Vm running = vm(VmState.RUNNING, PowerState.ON);
    Decision snap =
        sagas.onCommand(
            running,
            new VmCommand(
                "op-s",
                "vm-1",
                "t1",
                CommandType.SNAPSHOT_CREATE,
                T1,
                null,
                null,
                null,
                null,
                "s1",
                null),
            T1);
    Vm locked = apply(running, snap);
    // When the VM is shut down from inside while it is locked: recorded only
    Decision off = drift.onObserved(locked, seen(PowerState.OFF), NOW);
    assertRecordedOnly(locked, off);
    // When the snapshot is done the VM is RUNNING again, known to be off
    Vm unlocked = apply(off.vm(), sagas.onTaskEvent(off.vm(), ok(snap.tasks().get(0), null), NOW));
    assertThat(unlocked.state()).isEqualTo(VmState.RUNNING);
    assertThat(unlocked.operation()).isNull();
    // Then the next sighting of the same power is drift (ADOPT): the state follows
    Decision again = drift.onObserved(unlocked, seen(PowerState.OFF, NOW.plusSeconds(1)), NOW);
    assertThat(apply(unlocked, again).state()).isEqualTo(VmState.STOPPED);
    assertThat(only(again, PowerDrifted.class).policy()).isEqualTo(DriftPolicy.ADOPT);
  }

  @Test
  void aSightingFromBeforeTheOperationBeganProvesNothing() {
    Started start = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    Decision d = drift.onObserved(start.vm(), seen(PowerState.ON, T1.minusMillis(1)), NOW);
    assertRecordedOnly(start.vm(), d);
  }

  @Test
  void aSightingCompletesAStepWaitingForItsRetry() {
    Started start = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    Decision retry =
        sagas.onTaskEvent(
            start.vm(),
            TaskEvent.reporting(
                start.task(),
                TaskStatus.FAILED,
                T1,
                null,
                null,
                null,
                null,
                TaskError.of(ErrorType.UNAVAILABLE, "busy")),
            T1);
    Vm waiting = apply(start.vm(), retry);
    assertThat(waiting.operation().retryAt()).isNotNull();
    Vm running = apply(waiting, drift.onObserved(waiting, seen(PowerState.ON), NOW));
    assertThat(running.state()).isEqualTo(VmState.RUNNING);
    assertThat(SagaEngine.nextTimer(running)).isNull();
  }

  @Test
  void aStaleSightingAfterATaskReportedThePowerIsIgnored() {
    // Given a stop the worker confirmed at NOW
    Started stop = command(vm(VmState.RUNNING, PowerState.ON), CommandType.STOP);
    Vm stopped = apply(stop.vm(), sagas.onTaskEvent(stop.vm(), ok(stop.task(), null), NOW));
    assertThat(stopped.state()).isEqualTo(VmState.STOPPED);
    assertThat(stopped.observedAt()).isEqualTo(NOW);
    // When a sighting the watcher made before that (the VM still on) arrives late
    Decision late =
        drift.onObserved(stopped, seen(PowerState.ON, NOW.minusSeconds(1)), NOW.plusSeconds(1));
    // Then it is stale: no drift
    assertThat(late).isEqualTo(Decision.none());
  }

  // ---------------------------------------------------------------- the VM vanished

  @Test
  void aVmGoneFromItsProviderWithNoOperationRunningFails() {
    for (VmState state : List.of(VmState.RUNNING, VmState.STOPPED, VmState.SUSPENDED)) {
      for (DriftPolicy policy : DriftPolicy.values()) {
        Vm vm = vm(state, DriftEngine.expectedPower(state), policy);
        Decision d = drift.onObserved(vm, gone(), NOW);
        Vm failed = apply(vm, d);
        assertThat(failed.state()).isEqualTo(VmState.FAILED);
        assertThat(failed.operation()).isNull();
        assertThat(failed.observedPower()).isEqualTo(PowerState.NOT_FOUND);
        assertThat(failed.lastError().type()).isEqualTo(ErrorType.NOT_FOUND);
        assertThat(failed.lastError().message()).contains("vanished").contains("libvirt");
        StateChanged sc = only(d, StateChanged.class);
        assertThat(sc.from()).isEqualTo(state);
        assertThat(sc.to()).isEqualTo(VmState.FAILED);
        assertThat(sc.reason()).isEqualTo(DriftEngine.VANISHED);
        assertThat(d.events()).hasSize(1);
        assertThat(d.tasks()).isEmpty();
        // a redelivery (or the next relist) finds it FAILED and gone: nothing more
        assertThat(drift.onObserved(failed, gone(), NOW)).isEqualTo(Decision.none());
      }
    }
  }

  @Test
  void aDeletedSightingCountsAsGoneWhateverPowerItCarries() {
    VmObserved deleted =
        new VmObserved(
            "vm-1",
            "libvirt",
            VmObserved.Kind.DELETED,
            PowerState.OFF,
            SEEN,
            null,
            null,
            null,
            null,
            null);
    Decision d = drift.onObserved(vm(VmState.STOPPED, PowerState.OFF), deleted, NOW);
    assertThat(d.vm().state()).isEqualTo(VmState.FAILED);
    assertThat(d.vm().observedPower()).isEqualTo(PowerState.NOT_FOUND);
  }

  @Test
  void aFailedVmThatIsGoneOnlyRecordsIt() {
    Vm failed = vm(VmState.FAILED, PowerState.UNKNOWN);
    Decision d = drift.onObserved(failed, gone(), NOW);
    assertRecordedOnly(failed, d);
    assertThat(d.vm().observedPower()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(drift.onObserved(d.vm(), gone(), NOW)).isEqualTo(Decision.none());
  }

  // ---------------------------------------------------------------- drift: ADOPT

  private record DriftCase(VmState state, PowerState seen, VmState adopted) {}

  private static final List<DriftCase> DRIFTS =
      List.of(
          new DriftCase(VmState.RUNNING, PowerState.OFF, VmState.STOPPED),
          new DriftCase(VmState.RUNNING, PowerState.CRASHED, VmState.STOPPED),
          new DriftCase(VmState.RUNNING, PowerState.PAUSED, VmState.SUSPENDED),
          new DriftCase(VmState.STOPPED, PowerState.ON, VmState.RUNNING),
          new DriftCase(VmState.STOPPED, PowerState.PAUSED, VmState.SUSPENDED),
          new DriftCase(VmState.SUSPENDED, PowerState.ON, VmState.RUNNING),
          new DriftCase(VmState.SUSPENDED, PowerState.OFF, VmState.STOPPED),
          new DriftCase(VmState.SUSPENDED, PowerState.CRASHED, VmState.STOPPED));

  @Test
  void adoptTheStateFollowsThePowerAndTheDriftIsReported() {
    for (DriftPolicy policy : new DriftPolicy[] {null, DriftPolicy.ADOPT}) {
      for (DriftCase c : DRIFTS) {
        PowerState expected = DriftEngine.expectedPower(c.state());
        Vm vm = vm(c.state(), expected, policy);
        Decision d = drift.onObserved(vm, seen(c.seen()), NOW);
        Vm next = apply(vm, d);
        assertThat(next.state()).as("%s", c).isEqualTo(c.adopted());
        assertThat(next.operation()).isNull();
        assertThat(next.observedPower()).isEqualTo(c.seen());
        assertThat(next.observedAt()).isEqualTo(SEEN);
        assertThat(next.lastOperationId()).isEqualTo("op-c");
        assertThat(d.tasks()).isEmpty();
        assertThat(d.events())
            .containsExactly(
                new PowerDrifted(
                    "vm-1", c.state(), expected, c.seen(), DriftPolicy.ADOPT, null, NOW),
                new StateChanged(
                    "vm-1", c.state(), c.adopted(), next.version(), null, DriftEngine.DRIFT, NOW));
        // the same sighting again: the VM is where its power says, nothing changes
        assertThat(drift.onObserved(next, seen(c.seen()), NOW)).isEqualTo(Decision.none());
      }
    }
  }

  // ---------------------------------------------------------------- drift: ENFORCE

  private record Enforced(
      VmState state,
      PowerState seen,
      VmState via,
      CommandType type,
      TaskAction action,
      VmState during) {}

  @Test
  void enforceACorrectiveOperationBringsTheVmBack() {
    for (Enforced c :
        List.of(
            new Enforced(
                VmState.RUNNING,
                PowerState.OFF,
                VmState.STOPPED,
                CommandType.START,
                TaskAction.POWER_ON,
                VmState.STARTING),
            new Enforced(
                VmState.RUNNING,
                PowerState.CRASHED,
                VmState.STOPPED,
                CommandType.START,
                TaskAction.POWER_ON,
                VmState.STARTING),
            new Enforced(
                VmState.RUNNING,
                PowerState.PAUSED,
                VmState.SUSPENDED,
                CommandType.RESUME,
                TaskAction.RESUME,
                VmState.RESUMING),
            new Enforced(
                VmState.STOPPED,
                PowerState.ON,
                VmState.RUNNING,
                CommandType.STOP,
                TaskAction.POWER_OFF,
                VmState.STOPPING),
            new Enforced(
                VmState.STOPPED,
                PowerState.PAUSED,
                VmState.SUSPENDED,
                CommandType.STOP,
                TaskAction.POWER_OFF,
                VmState.STOPPING),
            new Enforced(
                VmState.SUSPENDED,
                PowerState.ON,
                VmState.RUNNING,
                CommandType.SUSPEND,
                TaskAction.SUSPEND,
                VmState.SUSPENDING))) {
      PowerState expected = DriftEngine.expectedPower(c.state());
      Vm vm = vm(c.state(), expected, DriftPolicy.ENFORCE);
      Decision d = drift.onObserved(vm, seen(c.seen()), NOW);
      Vm next = apply(vm, d);
      String opId =
          UUID.nameUUIDFromBytes(("vm-1:5:enforce").getBytes(StandardCharsets.UTF_8)).toString();
      // the drift names the corrective operation, which then runs like its command saga
      assertThat(d.events().get(0))
          .isEqualTo(
              new PowerDrifted(
                  "vm-1", c.state(), expected, c.seen(), DriftPolicy.ENFORCE, opId, NOW));
      assertThat(states(d)).as("%s", c).containsExactly(c.via(), c.during());
      StateChanged toObserved = (StateChanged) d.events().get(1);
      assertThat(toObserved.reason()).isEqualTo(DriftEngine.DRIFT);
      assertThat(toObserved.operationId()).isEqualTo(opId);
      assertThat(d.events()).noneMatch(CommandAccepted.class::isInstance);
      OperationStarted started = only(d, OperationStarted.class);
      assertThat(started.operationId()).isEqualTo(opId);
      assertThat(started.operation()).isEqualTo(c.type());
      assertThat(only(d, OperationProgress.class).operationId()).isEqualTo(opId);
      assertThat(next.state()).isEqualTo(c.during());
      assertThat(next.operation().id()).isEqualTo(opId);
      assertThat(next.operation().origin()).isEqualTo(c.via());
      assertThat(next.lastOperationId()).isEqualTo(opId);
      assertThat(next.observedPower()).isEqualTo(c.seen());
      assertThat(d.tasks())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.action()).isEqualTo(c.action());
                assertThat(t.operationId()).isEqualTo(opId);
                assertThat(t.providerRef()).isEqualTo("dom-1");
              });
      // the same input decides the same (a redelivered observation)
      assertThat(drift.onObserved(vm, seen(c.seen()), NOW)).isEqualTo(d);
      // while it runs, the same sighting again changes nothing
      assertThat(drift.onObserved(next, seen(c.seen()), NOW)).isEqualTo(Decision.none());
      // and the operation ends as its command's would: by its task …
      PowerState goal = expected;
      Decision byTask = sagas.onTaskEvent(next, ok(d.tasks().get(0), goal), NOW.plusSeconds(1));
      Vm back = apply(next, byTask);
      assertThat(back.state()).isEqualTo(c.state());
      assertThat(only(byTask, OperationSucceeded.class).operationId()).isEqualTo(opId);
      // … or by seeing it back
      Decision bySight = drift.onObserved(next, seen(goal, NOW.plusSeconds(1)), NOW);
      assertThat(apply(next, bySight).state()).isEqualTo(c.state());
      assertThat(only(bySight, OperationSucceeded.class).operationId()).isEqualTo(opId);
    }
  }

  @Test
  void enforceASuspendedVmFoundOffCannotBeBroughtBackSoItsStateFollows() {
    for (PowerState off : List.of(PowerState.OFF, PowerState.CRASHED)) {
      Vm vm = vm(VmState.SUSPENDED, PowerState.PAUSED, DriftPolicy.ENFORCE);
      Decision d = drift.onObserved(vm, seen(off), NOW);
      Vm next = apply(vm, d);
      assertThat(next.state()).isEqualTo(VmState.STOPPED);
      assertThat(d.tasks()).isEmpty();
      PowerDrifted pd = only(d, PowerDrifted.class);
      assertThat(pd.policy()).isEqualTo(DriftPolicy.ENFORCE);
      assertThat(pd.operationId()).isNull();
    }
  }

  @Test
  void enforceAFailedCorrectionLeavesTheVmInTheStateItWasFoundIn() {
    Vm vm = vm(VmState.RUNNING, PowerState.ON, DriftPolicy.ENFORCE);
    Decision d = drift.onObserved(vm, seen(PowerState.OFF), NOW);
    Vm starting = apply(vm, d);
    Decision failed =
        sagas.onTaskEvent(
            starting,
            TaskEvent.reporting(
                d.tasks().get(0),
                TaskStatus.FAILED,
                NOW,
                null,
                null,
                PowerState.OFF,
                null,
                TaskError.of(ErrorType.INVALID_SPEC, "no")),
            NOW);
    Vm after = apply(starting, failed);
    assertThat(after.state()).isEqualTo(VmState.STOPPED);
    // no loop: the VM is where its power says
    assertThat(drift.onObserved(after, seen(PowerState.OFF, NOW), NOW)).isEqualTo(Decision.none());
  }

  // ---------------------------------------------------------------- drift: ALERT

  @Test
  void alertOnlyReportsTheDriftAndOnlyWhenItIsNew() {
    Vm vm = vm(VmState.RUNNING, PowerState.ON, DriftPolicy.ALERT);
    // When it is seen off: the state stays, the drift is reported once
    Decision off = drift.onObserved(vm, seen(PowerState.OFF), NOW);
    Vm seenOff = apply(vm, off);
    assertThat(seenOff.state()).isEqualTo(VmState.RUNNING);
    assertThat(seenOff.observedPower()).isEqualTo(PowerState.OFF);
    assertThat(off.events())
        .containsExactly(
            new PowerDrifted(
                "vm-1",
                VmState.RUNNING,
                PowerState.ON,
                PowerState.OFF,
                DriftPolicy.ALERT,
                null,
                NOW));
    assertThat(off.tasks()).isEmpty();
    // When seen off again: nothing
    assertThat(drift.onObserved(seenOff, seen(PowerState.OFF, NOW), NOW))
        .isEqualTo(Decision.none());
    // When it crashes: a new drift, reported
    Decision crashed = drift.onObserved(seenOff, seen(PowerState.CRASHED, NOW), NOW);
    Vm seenCrashed = apply(seenOff, crashed);
    assertThat(only(crashed, PowerDrifted.class).observed()).isEqualTo(PowerState.CRASHED);
    // When it is on again: recorded, no drift
    Decision on = drift.onObserved(seenCrashed, seen(PowerState.ON, NOW), NOW);
    assertRecordedOnly(seenCrashed, on);
  }

  // ---------------------------------------------------------------- provider reachability

  @Test
  void providerEventsSayWhetherTheProviderCanBeReached() {
    assertThat(
            DriftEngine.reachability(
                new ProviderHealthChanged("libvirt", ProviderHealth.UNREACHABLE, "refused", T0)))
        .contains(new Reachability("libvirt", false, DriftEngine.UNREACHABLE, "refused", T0));
    assertThat(
            DriftEngine.reachability(
                new ProviderHealthChanged("libvirt", ProviderHealth.HEALTHY, null, T0)))
        .contains(new Reachability("libvirt", true, DriftEngine.HEALTHY, null, T0));
    assertThat(
            DriftEngine.reachability(
                new CircuitChanged(
                    "vsphere", CircuitState.CLOSED, CircuitState.OPEN, 5, "timeout", T0)))
        .contains(new Reachability("vsphere", false, DriftEngine.CIRCUIT_OPEN, "timeout", T0));
    assertThat(
            DriftEngine.reachability(
                new CircuitChanged(
                    "vsphere", CircuitState.HALF_OPEN, CircuitState.CLOSED, 0, null, T0)))
        .contains(new Reachability("vsphere", true, DriftEngine.CIRCUIT_CLOSED, null, T0));
    // says nothing about reaching it
    assertThat(
            DriftEngine.reachability(
                new ProviderHealthChanged("libvirt", ProviderHealth.UNHEALTHY, "5xx", T0)))
        .isEmpty();
    assertThat(
            DriftEngine.reachability(
                new ProviderHealthChanged("libvirt", ProviderHealth.UNKNOWN, null, T0)))
        .isEmpty();
    assertThat(
            DriftEngine.reachability(
                new CircuitChanged(
                    "vsphere", CircuitState.OPEN, CircuitState.HALF_OPEN, 5, null, T0)))
        .isEmpty();
    assertThat(DriftEngine.reachability(new WatcherRelisted("libvirt", "gone", "rv", 10, 0, 5, T0)))
        .isEmpty();
    assertThat(DriftEngine.reachability(seen(PowerState.ON))).isEmpty();
  }

  @Test
  void anUnreachableProviderMarksItsVmsAndNeverChangesTheirState() {
    Reachability down =
        new Reachability("libvirt", false, DriftEngine.UNREACHABLE, "refused", SEEN);
    Reachability up =
        new Reachability("libvirt", true, DriftEngine.HEALTHY, null, SEEN.plusSeconds(5));
    Vm running = vm(VmState.RUNNING, PowerState.ON);
    Started starting = command(vm(VmState.STOPPED, PowerState.OFF), CommandType.START);
    for (Vm vm : List.of(running, starting.vm(), vm(VmState.FAILED, PowerState.UNKNOWN))) {
      // When the provider cannot be reached
      Decision d = drift.onReachability(vm, down, NOW);
      assertRecordedOnly(vm, d);
      Vm marked = d.vm();
      assertThat(marked.condition(DriftEngine.PROVIDER_REACHABLE))
          .isEqualTo(
              new Condition(DriftEngine.PROVIDER_REACHABLE, false, "Unreachable", "refused", SEEN));
      assertThat(marked.observedPower()).isEqualTo(vm.observedPower());
      // the same news again writes nothing
      assertThat(drift.onReachability(marked, down, NOW)).isEqualTo(Decision.none());
      // older news than the condition's is ignored
      assertThat(
              drift.onReachability(
                  marked,
                  new Reachability(
                      "libvirt", true, DriftEngine.HEALTHY, null, SEEN.minusSeconds(1)),
                  NOW))
          .isEqualTo(Decision.none());
      // When it answers again
      Decision back = drift.onReachability(marked, up, NOW.plusSeconds(5));
      assertThat(back.vm().state()).isEqualTo(vm.state());
      assertThat(back.vm().operation()).isEqualTo(vm.operation());
      assertThat(back.events()).isEmpty();
      assertThat(back.vm().condition(DriftEngine.PROVIDER_REACHABLE))
          .isEqualTo(
              new Condition(
                  DriftEngine.PROVIDER_REACHABLE, true, "Healthy", null, SEEN.plusSeconds(5)));
      assertThat(back.vm().conditions()).hasSize(1);
      assertThat(drift.onReachability(back.vm(), up, NOW)).isEqualTo(Decision.none());
    }
  }

  @Test
  void aVmWithoutTheConditionCountsAsReachable() {
    Reachability up = new Reachability("libvirt", true, DriftEngine.HEALTHY, null, SEEN);
    assertThat(drift.onReachability(vm(VmState.RUNNING, PowerState.ON), up, NOW))
        .isEqualTo(Decision.none());
  }

  @Test
  void reachabilityLeavesDeletedVmsVmsOfOtherProvidersAndOtherConditionsAlone() {
    Reachability down = new Reachability("libvirt", false, DriftEngine.CIRCUIT_OPEN, "x", SEEN);
    assertThat(drift.onReachability(null, down, NOW)).isEqualTo(Decision.none());
    assertThat(drift.onReachability(vm(VmState.DELETED, PowerState.NOT_FOUND), down, NOW))
        .isEqualTo(Decision.none());
    assertThat(
            drift.onReachability(
                vm(VmState.RUNNING, PowerState.ON),
                new Reachability("vsphere", false, DriftEngine.UNREACHABLE, null, SEEN),
                NOW))
        .isEqualTo(Decision.none());
    // a locked VM keeps its lock and its operation
    Vm running = vm(VmState.RUNNING, PowerState.ON);
    Decision snap =
        sagas.onCommand(
            running,
            new VmCommand(
                "op-s",
                "vm-1",
                "t1",
                CommandType.SNAPSHOT_CREATE,
                T1,
                null,
                null,
                null,
                null,
                "s1",
                null),
            T1);
    Vm locked = apply(running, snap);
    Vm marked = apply(locked, drift.onReachability(locked, down, NOW));
    assertThat(marked.conditions())
        .extracting(Condition::type)
        .containsExactly(Vm.LOCKED, DriftEngine.PROVIDER_REACHABLE);
    assertThat(marked.operation()).isEqualTo(locked.operation());
    // and the lock's end keeps the reachability condition
    Vm unlocked = apply(marked, sagas.onTaskEvent(marked, ok(snap.tasks().get(0), null), NOW));
    assertThat(unlocked.conditions())
        .extracting(Condition::type)
        .containsExactly(DriftEngine.PROVIDER_REACHABLE);
  }
}
