package dev.virtsaga.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.OperationInFlightException;
import dev.virtsaga.gateway.TestConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class InFlightTrackerTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  MutableClock clock = new MutableClock();
  InFlightTracker tracker = new InFlightTracker(TestConfig.defaults(), clock);

  @Test
  void aPowerDriftFreesNothing() {
    tracker.reserve("vm", "op-1", CommandType.START, null);

    tracker.onLifecycle(
        new PowerDrifted(
            "vm", VmState.STOPPED, PowerState.OFF, PowerState.ON, DriftPolicy.ALERT, "op-1", NOW));

    assertThat(tracker.pending("vm")).map(InFlightTracker.Pending::operationId).contains("op-1");
  }

  @Test
  void anOperationTheSnapshotStillShowsButALifecycleEventFinishedDoesNotBlock() {
    OperationView snapshotSays =
        new OperationView("op-1", CommandType.SNAPSHOT_CREATE, "snap", 1, NOW, NOW);
    assertThatThrownBy(() -> tracker.reserve("vm", "op-2", CommandType.RECONFIGURE, snapshotSays))
        .isInstanceOf(OperationInFlightException.class);

    tracker.onLifecycle(new OperationSucceeded("vm", "op-1", CommandType.SNAPSHOT_CREATE, NOW));

    tracker.reserve("vm", "op-2", CommandType.RECONFIGURE, snapshotSays);
    assertThat(tracker.pending("vm")).map(InFlightTracker.Pending::operationId).contains("op-2");
  }

  @Test
  void aSecondCommandWaitsForTheFirst() {
    tracker.reserve("vm", "op-1", CommandType.START, null);

    assertThatThrownBy(() -> tracker.reserve("vm", "op-2", CommandType.STOP, null))
        .isInstanceOf(OperationInFlightException.class)
        .satisfies(
            e -> assertThat(((OperationInFlightException) e).operationId()).isEqualTo("op-1"));
    assertThat(tracker.pending("vm")).map(InFlightTracker.Pending::operationId).contains("op-1");
  }

  @Test
  void theSameOperationPublishedAgainDoesNotWaitForItself() {
    tracker.reserve("vm", "op-1", CommandType.CREATE, null);

    InFlightTracker.Reservation again = tracker.reserve("vm", "op-1", CommandType.CREATE, null);
    again.release();

    assertThat(tracker.pending("vm")).map(InFlightTracker.Pending::operationId).contains("op-1");
    assertThatThrownBy(() -> tracker.reserve("vm", "op-2", CommandType.START, null))
        .isInstanceOf(OperationInFlightException.class);
  }

  @Test
  void anOperationInTheSnapshotBlocksEvenWithoutAPendingCommand() {
    OperationView running = new OperationView("op-0", CommandType.STOP, "shutdown", 1, NOW, NOW);

    assertThatThrownBy(() -> tracker.reserve("vm", "op-1", CommandType.START, running))
        .isInstanceOf(OperationInFlightException.class);
    assertThat(tracker.pending("vm")).isEmpty();
  }

  @Test
  void deletePreemptsAnythingButADelete() {
    OperationView running = new OperationView("op-0", CommandType.STOP, "shutdown", 1, NOW, NOW);
    tracker.reserve("vm", "op-1", CommandType.REBOOT, null);

    tracker.reserve("vm", "op-2", CommandType.DELETE, running);

    assertThatThrownBy(() -> tracker.reserve("vm", "op-3", CommandType.DELETE, null))
        .isInstanceOf(OperationInFlightException.class);
    OperationView deleting = new OperationView("op-2", CommandType.DELETE, "x", 1, NOW, NOW);
    assertThatThrownBy(
            () ->
                new InFlightTracker(TestConfig.defaults(), clock)
                    .reserve("vm", "op-4", CommandType.DELETE, deleting))
        .isInstanceOf(OperationInFlightException.class);
  }

  @Test
  void abortGoesAlongsideTheMigrationItCancelsButNothingElse() {
    OperationView migrating =
        new OperationView("op-0", CommandType.MIGRATE, "migrate", 1, NOW, NOW);
    OperationView rebooting = new OperationView("op-0", CommandType.REBOOT, "reboot", 1, NOW, NOW);

    // a migration the snapshot shows, or one this gateway published, can be aborted
    tracker.reserve("vm-a", "op-1", CommandType.ABORT, migrating);
    tracker.reserve("vm-b", "op-2", CommandType.MIGRATE, null);
    tracker.reserve("vm-b", "op-3", CommandType.ABORT, null);

    // but only once, and nothing else
    assertThatThrownBy(() -> tracker.reserve("vm-a", "op-4", CommandType.ABORT, migrating))
        .isInstanceOf(OperationInFlightException.class);
    assertThatThrownBy(() -> tracker.reserve("vm-c", "op-5", CommandType.ABORT, rebooting))
        .isInstanceOf(OperationInFlightException.class);
    assertThatThrownBy(() -> tracker.reserve("vm-a", "op-6", CommandType.MIGRATE, null))
        .isInstanceOf(OperationInFlightException.class);
    assertThat(tracker.pending("vm-b")).map(InFlightTracker.Pending::operationId).contains("op-3");
  }

  @Test
  void releasingADeleteRestoresTheOperationItPreempted() {
    tracker.reserve("vm", "op-1", CommandType.REBOOT, null);
    InFlightTracker.Reservation delete = tracker.reserve("vm", "op-2", CommandType.DELETE, null);

    delete.release();

    assertThat(tracker.pending("vm")).map(InFlightTracker.Pending::operationId).contains("op-1");
  }

  @Test
  void releasingFreesTheVm() {
    tracker.reserve("vm", "op-1", CommandType.START, null).release();

    tracker.reserve("vm", "op-2", CommandType.START, null);
  }

  @Test
  void terminalLifecycleEventsOfThePendingOperationFreeTheVm() {
    tracker.reserve("a", "op-a", CommandType.START, null);
    tracker.reserve("b", "op-b", CommandType.START, null);
    tracker.reserve("c", "op-c", CommandType.START, null);
    tracker.reserve("d", "op-d", CommandType.START, null);

    tracker.onLifecycle(new CommandAccepted("a", "op-a", CommandType.START, NOW));
    assertThat(tracker.pending("a")).isPresent();

    tracker.onLifecycle(new OperationSucceeded("a", "op-a", CommandType.START, NOW));
    tracker.onLifecycle(
        new OperationFailed("b", "op-b", CommandType.START, null, ErrorType.TIMEOUT, "x", NOW));
    tracker.onLifecycle(
        new CommandRejected("c", "op-c", CommandType.START, RejectReason.CONFLICT, "x", NOW));
    tracker.onLifecycle(new VmDeleted("d", "op-other", NOW));

    assertThat(tracker.pending("a")).isEmpty();
    assertThat(tracker.pending("b")).isEmpty();
    assertThat(tracker.pending("c")).isEmpty();
    assertThat(tracker.pending("d")).isEmpty();
  }

  @Test
  void anotherOperationsEndDoesNotFreeTheVm() {
    tracker.reserve("vm", "op-1", CommandType.START, null);

    tracker.onLifecycle(new OperationSucceeded("vm", "op-0", CommandType.STOP, NOW));
    tracker.onSnapshot(snapshot("vm", null, "op-0"));

    assertThat(tracker.pending("vm")).isPresent();
  }

  @Test
  void aSnapshotWithThePendingOperationAsLastAndNoneInFlightFreesTheVm() {
    tracker.reserve("vm", "op-1", CommandType.START, null);
    OperationView running = new OperationView("op-1", CommandType.START, "s", 1, NOW, NOW);

    tracker.onSnapshot(snapshot("vm", running, "op-1"));
    assertThat(tracker.pending("vm")).isPresent();

    tracker.onSnapshot(snapshot("vm", null, "op-1"));
    assertThat(tracker.pending("vm")).isEmpty();
  }

  @Test
  void aPendingCommandNobodyAnsweredStopsBlockingAfterTheTimeout() {
    tracker.reserve("vm", "op-1", CommandType.START, null);

    clock.advance(Duration.ofMinutes(11));

    assertThat(tracker.pending("vm")).isEmpty();
    tracker.reserve("vm", "op-2", CommandType.STOP, null);
  }

  @Test
  void aTombstoneFreesTheVm() {
    tracker.reserve("vm", "op-1", CommandType.DELETE, null);

    tracker.onVmGone("vm");

    assertThat(tracker.pending("vm")).isEmpty();
  }

  static VmSnapshot snapshot(String vmId, OperationView op, String last) {
    return new VmSnapshot(
        vmId,
        "t",
        null,
        op == null ? VmState.RUNNING : VmState.STARTING,
        PowerState.ON,
        List.of(),
        2,
        NOW,
        NOW,
        op,
        last,
        null,
        null,
        null);
  }

  static final class MutableClock extends Clock {
    Instant now = NOW;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
