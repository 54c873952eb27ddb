package dev.virtsaga.orchestrator;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.events.state.SnapshotView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The VM aggregate. Immutable; every change makes a new one. Enforces invariant 1 of
 * ARCHITECTURE.md §3: a VM in a transitional state always has an operation (which always has a
 * deadline), and a VM in a stable state has one only while a sub-resource operation (snapshot,
 * clone, disk export) runs — then it carries the {@code Locked} condition and its state does not
 * change.
 *
 * @param observedPower the power the provider last reported (by a task's outcome or the watcher)
 * @param observedAt when that was seen; observations older than this are stale
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
    Instant updatedAt,
    List<SnapshotView> snapshots,
    Instant observedAt) {

  /** The condition a VM carries while an operation on one of its sub-resources runs. */
  public static final String LOCKED = "Locked";

  /** Operations on sub-resources: they lock the VM instead of changing its state. */
  public static final Set<CommandType> SUB_RESOURCE_OPERATIONS =
      EnumSet.of(
          CommandType.SNAPSHOT_CREATE,
          CommandType.SNAPSHOT_DELETE,
          CommandType.SNAPSHOT_REVERT,
          CommandType.CLONE,
          CommandType.DISK_EXPORT);

  public Vm {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(state, "state");
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
    boolean subResource = operation != null && SUB_RESOURCE_OPERATIONS.contains(operation.type());
    boolean consistent =
        state.isTransitional()
            ? operation != null && !subResource
            : operation == null
                || (subResource && state != VmState.DELETED && isLocked(conditions));
    if (!consistent) {
      throw new IllegalStateException(
          "VM "
              + id
              + " in "
              + state
              + (operation == null
                  ? " without an operation"
                  : " with operation " + operation.id() + " (" + operation.type() + ")"));
    }
    observedPower = observedPower == null ? PowerState.UNKNOWN : observedPower;
    ips = ips == null ? List.of() : List.copyOf(ips);
    snapshots = snapshots == null ? List.of() : List.copyOf(snapshots);
  }

  /** A VM without snapshots. */
  public Vm(
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
    this(
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
        version,
        createdAt,
        updatedAt,
        List.of(),
        null);
  }

  private static boolean isLocked(List<Condition> conditions) {
    return conditions.stream().anyMatch(c -> LOCKED.equals(c.type()) && c.status());
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
        updatedAt,
        snapshots,
        observedAt);
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
        updatedAt,
        snapshots,
        observedAt);
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
        updatedAt,
        snapshots,
        observedAt);
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
        updatedAt,
        snapshots,
        observedAt);
  }

  /**
   * Locks the VM for a sub-resource operation (state unchanged), or unlocks it when {@code
   * newOperation} is null.
   */
  public Vm locked(Operation newOperation, String reason, Instant now) {
    List<Condition> next = new ArrayList<>();
    for (Condition c : conditions) {
      if (!LOCKED.equals(c.type())) {
        next.add(c);
      }
    }
    if (newOperation != null) {
      next.add(new Condition(LOCKED, true, reason, null, now));
    }
    return new Vm(
        id,
        tenantId,
        spec,
        state,
        newOperation,
        providerRef,
        observedPower,
        next,
        ips,
        newOperation != null ? newOperation.id() : lastOperationId,
        lastError,
        version,
        createdAt,
        updatedAt,
        snapshots,
        observedAt);
  }

  public Vm withSnapshots(List<SnapshotView> newSnapshots) {
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
        version,
        createdAt,
        updatedAt,
        newSnapshots,
        observedAt);
  }

  /**
   * The same VM, seen at {@code at}: the observed-at time only moves forward (null keeps it as it
   * is).
   */
  public Vm seen(Instant at) {
    if (at == null || (observedAt != null && !at.isAfter(observedAt))) {
      return this;
    }
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
        version,
        createdAt,
        updatedAt,
        snapshots,
        at);
  }

  /** The condition of that type, or null. */
  public Condition condition(String type) {
    return conditions.stream().filter(c -> c.type().equals(type)).findFirst().orElse(null);
  }

  /** The same VM with {@code condition} in place of the one of its type (else added). */
  public Vm withCondition(Condition condition) {
    List<Condition> next = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : conditions) {
      if (c.type().equals(condition.type())) {
        next.add(condition);
        replaced = true;
      } else {
        next.add(c);
      }
    }
    if (!replaced) {
      next.add(condition);
    }
    return new Vm(
        id,
        tenantId,
        spec,
        state,
        operation,
        providerRef,
        observedPower,
        next,
        ips,
        lastOperationId,
        lastError,
        version,
        createdAt,
        updatedAt,
        snapshots,
        observedAt);
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
        now,
        snapshots,
        observedAt);
  }
}
