package dev.virtsaga.events.lifecycle;

import java.time.Instant;

/** A public event on {@code vm.lifecycle.v1}, keyed by vmId. */
public sealed interface LifecycleEvent
    permits CommandAccepted,
        CommandRejected,
        OperationStarted,
        OperationProgress,
        OperationSucceeded,
        OperationFailed,
        OperationTimedOut,
        StateChanged,
        VmDeleted,
        PowerDrifted {
  String vmId();

  /** The operation the event is about; absent only on a few state changes. */
  String operationId();

  Instant at();
}
