package dev.virtsaga.events;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.observation.CircuitChanged;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every event type on the wire: its CloudEvents {@code type} (which carries the major version), the
 * record it carries and the JSON Schema file that describes it ({@code schemas/<type>.json}).
 */
public final class EventCatalog {
  public static final String PREFIX = "dev.virtsaga.";

  public static final String VM_COMMAND = PREFIX + "vm.command.requested.v1";
  public static final String TASK_REQUESTED = PREFIX + "task.requested.v1";
  public static final String TASK_ACCEPTED = PREFIX + "task.accepted.v1";
  public static final String TASK_PROGRESS = PREFIX + "task.progress.v1";
  public static final String TASK_SUCCEEDED = PREFIX + "task.succeeded.v1";
  public static final String TASK_FAILED = PREFIX + "task.failed.v1";
  public static final String COMMAND_ACCEPTED = PREFIX + "vm.command.accepted.v1";
  public static final String COMMAND_REJECTED = PREFIX + "vm.command.rejected.v1";
  public static final String OPERATION_STARTED = PREFIX + "vm.operation.started.v1";
  public static final String OPERATION_PROGRESS = PREFIX + "vm.operation.progress.v1";
  public static final String OPERATION_SUCCEEDED = PREFIX + "vm.operation.succeeded.v1";
  public static final String OPERATION_FAILED = PREFIX + "vm.operation.failed.v1";
  public static final String OPERATION_TIMED_OUT = PREFIX + "vm.operation.timed-out.v1";
  public static final String STATE_CHANGED = PREFIX + "vm.state.changed.v1";
  public static final String VM_DELETED = PREFIX + "vm.deleted.v1";
  public static final String VM_STATE = PREFIX + "vm.state.v1";
  public static final String PROVIDER_STATUS = PREFIX + "provider.status.v1";
  public static final String POWER_DRIFTED = PREFIX + "vm.power.drifted.v1";
  public static final String VM_OBSERVED = PREFIX + "vm.observed.v1";
  public static final String WATCHER_RELISTED = PREFIX + "watcher.relisted.v1";
  public static final String CIRCUIT_CHANGED = PREFIX + "watcher.circuit-changed.v1";
  public static final String PROVIDER_HEALTH = PREFIX + "provider.health.v1";

  private static final Map<String, Class<?>> TYPES = new LinkedHashMap<>();
  private static final Map<Class<?>, String> BY_CLASS = new LinkedHashMap<>();

  static {
    register(VM_COMMAND, VmCommand.class);
    register(TASK_REQUESTED, TaskRequested.class);
    TYPES.put(TASK_ACCEPTED, TaskEvent.class);
    TYPES.put(TASK_PROGRESS, TaskEvent.class);
    TYPES.put(TASK_SUCCEEDED, TaskEvent.class);
    TYPES.put(TASK_FAILED, TaskEvent.class);
    register(COMMAND_ACCEPTED, CommandAccepted.class);
    register(COMMAND_REJECTED, CommandRejected.class);
    register(OPERATION_STARTED, OperationStarted.class);
    register(OPERATION_PROGRESS, OperationProgress.class);
    register(OPERATION_SUCCEEDED, OperationSucceeded.class);
    register(OPERATION_FAILED, OperationFailed.class);
    register(OPERATION_TIMED_OUT, OperationTimedOut.class);
    register(STATE_CHANGED, StateChanged.class);
    register(VM_DELETED, VmDeleted.class);
    register(VM_STATE, VmSnapshot.class);
    register(PROVIDER_STATUS, dev.virtsaga.events.provider.ProviderStatus.class);
    register(POWER_DRIFTED, PowerDrifted.class);
    register(VM_OBSERVED, VmObserved.class);
    register(WATCHER_RELISTED, WatcherRelisted.class);
    register(CIRCUIT_CHANGED, CircuitChanged.class);
    register(PROVIDER_HEALTH, ProviderHealthChanged.class);
  }

  private EventCatalog() {}

  private static void register(String type, Class<?> payload) {
    TYPES.put(type, payload);
    BY_CLASS.put(payload, type);
  }

  /** Every registered CloudEvents type. */
  public static Set<String> types() {
    return TYPES.keySet();
  }

  /** The record class carried by an event type. */
  public static Class<?> classOf(String type) {
    Class<?> c = TYPES.get(type);
    if (c == null) {
      throw new MalformedEventException("unknown event type " + type);
    }
    return c;
  }

  /** The CloudEvents type of a payload record. */
  public static String typeOf(Object payload) {
    if (payload instanceof TaskEvent e) {
      return taskEventType(e.status());
    }
    return typeOf(payload.getClass());
  }

  public static String typeOf(Class<?> payloadClass) {
    String t = BY_CLASS.get(payloadClass);
    if (t == null) {
      throw new IllegalArgumentException("not an event record: " + payloadClass.getName());
    }
    return t;
  }

  public static String taskEventType(TaskStatus status) {
    return switch (status) {
      case ACCEPTED -> TASK_ACCEPTED;
      case PROGRESS -> TASK_PROGRESS;
      case SUCCEEDED -> TASK_SUCCEEDED;
      case FAILED -> TASK_FAILED;
    };
  }

  /** The classpath resource holding the JSON Schema of an event type. */
  public static String schemaResource(String type) {
    return "schemas/" + type + ".json";
  }
}
