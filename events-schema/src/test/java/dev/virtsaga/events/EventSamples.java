package dev.virtsaga.events;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One realistic instance of every event type. */
final class EventSamples {
  static final Instant AT = Instant.parse("2026-11-22T10:15:30Z");
  static final VmSpec SPEC = new VmSpec("web-1", "libvirt", 2, 512, 1, null, Map.of("team", "a"));

  private EventSamples() {}

  static List<Object> all() {
    return List.of(
        new VmCommand("op-1", "vm-1", "t1", CommandType.CREATE, AT, SPEC, null, null, "req-1"),
        new VmCommand("op-2", "vm-1", "t1", CommandType.STOP, AT, null, false, 30, null),
        new TaskRequested(
            "task-1",
            "op-1",
            "vm-1",
            "libvirt",
            "provision",
            TaskAction.CREATE,
            1,
            "op-1:provision",
            AT,
            SPEC,
            null),
        new TaskEvent(
            "task-1",
            "op-1",
            "vm-1",
            "libvirt",
            "provision",
            TaskAction.CREATE,
            1,
            TaskStatus.SUCCEEDED,
            AT,
            "dom-1",
            null,
            100,
            PowerState.OFF,
            List.of(),
            null),
        new TaskEvent(
            "task-1",
            "op-1",
            "vm-1",
            "libvirt",
            "provision",
            TaskAction.CREATE,
            1,
            TaskStatus.FAILED,
            AT,
            null,
            null,
            null,
            null,
            null,
            new TaskError(ErrorType.RATE_LIMIT, "slow down", true, 2000L)),
        new TaskEvent(
            "task-1",
            "op-1",
            "vm-1",
            "libvirt",
            "provision",
            TaskAction.CREATE,
            1,
            TaskStatus.ACCEPTED,
            AT,
            null,
            null,
            null,
            null,
            null,
            null),
        new TaskEvent(
            "task-1",
            "op-1",
            "vm-1",
            "libvirt",
            "provision",
            TaskAction.CREATE,
            1,
            TaskStatus.PROGRESS,
            AT,
            null,
            "job-7",
            40,
            null,
            null,
            null),
        new CommandAccepted("vm-1", "op-1", CommandType.CREATE, AT),
        new CommandRejected("vm-1", "op-2", CommandType.START, RejectReason.CONFLICT, "busy", AT),
        new OperationStarted("vm-1", "op-1", CommandType.CREATE, AT, AT),
        new OperationProgress("vm-1", "op-1", CommandType.CREATE, "start", 1, AT, null, AT),
        new OperationSucceeded("vm-1", "op-1", CommandType.CREATE, AT),
        new OperationFailed(
            "vm-1", "op-1", CommandType.CREATE, "provision", ErrorType.INVALID_SPEC, "no", AT),
        new OperationTimedOut("vm-1", "op-1", CommandType.CREATE, "provision", AT),
        new StateChanged("vm-1", null, VmState.PENDING, 1, "op-1", null, AT),
        new StateChanged("vm-1", VmState.PENDING, VmState.PROVISIONING, 2, "op-1", "create", AT),
        new VmDeleted("vm-1", "op-9", AT),
        new dev.virtsaga.events.provider.ProviderStatus(
            "libvirt",
            List.of("REBOOT", "SUSPEND_RESUME"),
            dev.virtsaga.events.provider.ProviderHealth.HEALTHY,
            AT,
            null),
        new VmSnapshot(
            "vm-1",
            "t1",
            SPEC,
            VmState.RUNNING,
            PowerState.ON,
            List.of(new Condition("ProviderReachable", true, null, null, AT)),
            4,
            AT,
            AT,
            null,
            "op-1",
            "dom-1",
            List.of("10.0.0.5"),
            null),
        new VmSnapshot(
            "vm-1",
            "t1",
            SPEC,
            VmState.PROVISIONING,
            PowerState.UNKNOWN,
            List.of(),
            2,
            AT,
            AT,
            new OperationView("op-1", CommandType.CREATE, "provision", 1, AT, AT),
            "op-1",
            null,
            null,
            null),
        new dev.virtsaga.events.lifecycle.PowerDrifted(
            "vm-1",
            VmState.RUNNING,
            PowerState.ON,
            PowerState.OFF,
            dev.virtsaga.events.model.DriftPolicy.ENFORCE,
            "op-7",
            AT),
        new VmCommand(
            "op-8",
            "vm-2",
            "t1",
            CommandType.ADOPT,
            AT,
            SPEC.withDriftPolicy(dev.virtsaga.events.model.DriftPolicy.ALERT),
            null,
            null,
            "req-8",
            null,
            null,
            null,
            null,
            null,
            new dev.virtsaga.events.model.AdoptArgs(PowerState.ON, "dom-2", List.of("10.0.0.6"))),
        new dev.virtsaga.events.observation.VmObserved(
            "vm-1",
            "kubevirt",
            dev.virtsaga.events.observation.VmObserved.Kind.MODIFIED,
            PowerState.OFF,
            AT,
            "4711",
            List.of("10.244.1.2"),
            "default/web-1",
            "node-a",
            false),
        new dev.virtsaga.events.observation.WatcherRelisted(
            "kubevirt", "gone", "4712", 10000, 2, 272, AT),
        new dev.virtsaga.events.observation.CircuitChanged(
            "kubevirt",
            dev.virtsaga.events.observation.CircuitChanged.CircuitState.CLOSED,
            dev.virtsaga.events.observation.CircuitChanged.CircuitState.OPEN,
            5,
            "connection refused",
            AT),
        new dev.virtsaga.events.observation.ProviderHealthChanged(
            "kubevirt",
            dev.virtsaga.events.provider.ProviderHealth.UNREACHABLE,
            "connection refused",
            AT));
  }
}
