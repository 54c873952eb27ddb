package dev.virtsaga.orchestrator;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The VM aggregate. Immutable; every change makes a new one. Enforces invariant 1 of
 * ARCHITECTURE.md §3: a VM is in a transitional state exactly when an operation (which always has a
 * deadline) is attached.
 */
public record Vm(
    String id,
    String tenantId,
    VmSpec spec,
    VmState state,
    Operation operation,
    String providerRef,
    PowerState observedPower,
    List<Condition> conditions,
    List<String> ips,
    String lastOperationId,
    TaskError lastError,
    long version,
    Instant createdAt,
    Instant updatedAt) {

  public Vm {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(state, "state");
    if (state.isTransitional() != (operation != null)) {
      throw new IllegalStateException(
          "VM "
              + id
              + " in "
              + state
              + (operation == null
                  ? " without an operation"
                  : " with operation " + operation.id()));
    }
    observedPower = observedPower == null ? PowerState.UNKNOWN : observedPower;
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    ips = ips == null ? List.of() : List.copyOf(ips);
  }

  public String provider() {
    return spec.provider();
  }

  public Vm with(VmState newState, Operation newOperation) {
    return new Vm(
        id,
        tenantId,
        spec,
        newState,
        newOperation,
        providerRef,
        observedPower,
        conditions,
        ips,
        newOperation != null ? newOperation.id() : lastOperationId,
        lastError,
        version,
        createdAt,
        updatedAt);
  }

  public Vm withOperation(Operation newOperation) {
    return with(state, newOperation);
  }

  public Vm observed(String ref, PowerState power, List<String> newIps) {
    return new Vm(
        id,
        tenantId,
        spec,
        state,
        operation,
        ref != null ? ref : providerRef,
        power != null ? power : observedPower,
        conditions,
        newIps != null ? newIps : ips,
        lastOperationId,
        lastError,
        version,
        createdAt,
        updatedAt);
  }

  public Vm withSpec(VmSpec newSpec) {
    return new Vm(
        id,
        tenantId,
        newSpec,
        state,
        operation,
        providerRef,
        observedPower,
        conditions,
        ips,
        lastOperationId,
        lastError,
        version,
        createdAt,
        updatedAt);
  }

  public Vm withLastError(TaskError error) {
    return new Vm(
        id,
        tenantId,
        spec,
        state,
        operation,
        providerRef,
        observedPower,
        conditions,
        ips,
        lastOperationId,
        error,
        version,
        createdAt,
        updatedAt);
  }

  public Vm bumped(Instant now) {
    return new Vm(
        id,
        tenantId,
        spec,
        state,
        operation,
        providerRef,
        observedPower,
        conditions,
        ips,
        lastOperationId,
        lastError,
        version + 1,
        createdAt,
        now);
  }
}
