package dev.virtsaga.orchestrator.mapping;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.orchestrator.Operation;
import dev.virtsaga.orchestrator.OperationArgs;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.repository.VmEntity;
import dev.virtsaga.orchestrator.saga.SagaEngine;
import java.util.List;

/** Converts the aggregate to its row and to its published snapshot. */
public final class VmMapper {
  private static final TypeReference<List<Condition>> CONDITIONS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<List<SnapshotView>> SNAPSHOTS = new TypeReference<>() {};

  private VmMapper() {}

  public static Vm toVm(VmEntity e) {
    Operation op = null;
    if (e.opId != null) {
      op =
          new Operation(
              e.opId,
              CommandType.valueOf(e.opType),
              e.opStep,
              e.opAttempt,
              e.opDeadline,
              e.opStartedAt,
              e.opOrigin == null ? null : VmState.valueOf(e.opOrigin),
              Boolean.TRUE.equals(e.opCompensating),
              e.opRetryAt,
              readError(e.opCause),
              e.opGracefulTimeout,
              e.opTarget == null ? null : Json.read(e.opTarget, VmSpec.class),
              e.opSubject,
              e.opArgs == null ? null : Json.read(e.opArgs, OperationArgs.class));
    }
    try {
      return new Vm(
          e.id,
          e.tenantId,
          Json.mapper().readValue(e.spec, VmSpec.class),
          VmState.valueOf(e.state),
          op,
          e.providerRef,
          PowerState.valueOf(e.observedPower),
          Json.mapper().readValue(e.conditions, CONDITIONS),
          Json.mapper().readValue(e.ips, STRINGS),
          e.lastOperationId,
          readError(e.lastError),
          e.version,
          e.createdAt,
          e.updatedAt,
          e.snapshots == null ? List.of() : Json.mapper().readValue(e.snapshots, SNAPSHOTS),
          e.observedAt);
    } catch (java.io.IOException ex) {
      throw new IllegalStateException("corrupt row for VM " + e.id, ex);
    }
  }

  /** Copies the aggregate into a (new or managed) row. */
  public static VmEntity fill(VmEntity e, Vm vm) {
    e.id = vm.id();
    e.tenantId = vm.tenantId();
    e.provider = vm.provider();
    e.spec = Json.write(vm.spec());
    e.state = vm.state().name();
    e.providerRef = vm.providerRef();
    e.observedPower = vm.observedPower().name();
    e.observedAt = vm.observedAt();
    e.conditions = Json.write(vm.conditions());
    e.ips = Json.write(vm.ips());
    e.lastOperationId = vm.lastOperationId();
    e.lastError = vm.lastError() == null ? null : Json.write(vm.lastError());
    Operation op = vm.operation();
    e.opId = op == null ? null : op.id();
    e.opType = op == null ? null : op.type().name();
    e.opStep = op == null ? null : op.step();
    e.opAttempt = op == null ? null : op.attempt();
    e.opDeadline = op == null ? null : op.deadline();
    e.opStartedAt = op == null ? null : op.startedAt();
    e.opOrigin = op == null || op.origin() == null ? null : op.origin().name();
    e.opCompensating = op == null ? null : op.compensating();
    e.opRetryAt = op == null ? null : op.retryAt();
    e.opCause = op == null || op.cause() == null ? null : Json.write(op.cause());
    e.opGracefulTimeout = op == null ? null : op.gracefulTimeoutSeconds();
    e.opTarget = op == null || op.target() == null ? null : Json.write(op.target());
    e.opSubject = op == null ? null : op.subject();
    e.opArgs = op == null || op.args() == null ? null : Json.write(op.args());
    e.snapshots = Json.write(vm.snapshots());
    e.nextTimer = SagaEngine.nextTimer(vm);
    e.version = vm.version();
    e.createdAt = vm.createdAt();
    e.updatedAt = vm.updatedAt();
    return e;
  }

  public static VmSnapshot toSnapshot(Vm vm) {
    Operation op = vm.operation();
    return new VmSnapshot(
        vm.id(),
        vm.tenantId(),
        vm.spec(),
        vm.state(),
        vm.observedPower(),
        vm.conditions(),
        vm.version(),
        vm.createdAt(),
        vm.updatedAt(),
        op == null
            ? null
            : new OperationView(
                op.id(), op.type(), op.step(), op.attempt(), op.deadline(), op.startedAt()),
        vm.lastOperationId(),
        vm.providerRef(),
        vm.ips(),
        vm.lastError(),
        vm.snapshots().isEmpty() ? null : vm.snapshots());
  }

  private static TaskError readError(String json) {
    return json == null ? null : Json.read(json, TaskError.class);
  }
}
