package dev.virtsaga.gateway.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.gateway.LifecycleNotice;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.OperationUpdate;
import java.time.Instant;
import java.util.Optional;

/** Lifecycle events to what the gateway makes of them. */
public final class LifecycleMapper {
  private LifecycleMapper() {}

  /** The event's payload, checked to be a lifecycle event. */
  public static LifecycleEvent payload(CloudEvent event) {
    return event.payload(LifecycleEvent.class);
  }

  /**
   * What the event says about the status of its operation; empty for events that say nothing about
   * one (state changes, deletions, power drifts: the operation's own events cover those).
   */
  public static Optional<OperationUpdate> toOperationUpdate(LifecycleEvent event) {
    if (event instanceof CommandAccepted e) {
      return update(e.operationId(), OperationStatus.ACCEPTED, null, null, null, e);
    } else if (event instanceof OperationStarted e) {
      return update(e.operationId(), OperationStatus.RUNNING, null, null, null, e);
    } else if (event instanceof OperationProgress e) {
      return update(e.operationId(), OperationStatus.RUNNING, e.step(), null, null, e);
    } else if (event instanceof OperationTimedOut e) {
      return update(e.operationId(), OperationStatus.RUNNING, e.step(), null, null, e);
    } else if (event instanceof OperationSucceeded e) {
      return update(e.operationId(), OperationStatus.SUCCEEDED, null, null, null, e, e.result());
    } else if (event instanceof OperationFailed e) {
      return update(
          e.operationId(),
          OperationStatus.FAILED,
          e.step(),
          e.errorType() == null ? null : e.errorType().name(),
          e.message(),
          e);
    } else if (event instanceof CommandRejected e) {
      return update(
          e.operationId(),
          OperationStatus.REJECTED,
          null,
          e.reason() == null ? null : e.reason().name(),
          e.message(),
          e);
    } else if (event instanceof PowerDrifted) {
      // news about the VM, not about an operation: it finishes none, and the corrective operation
      // an ENFORCE starts (its operationId) is the orchestrator's own
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<OperationUpdate> update(
      String operationId,
      OperationStatus status,
      String step,
      String errorType,
      String message,
      LifecycleEvent event) {
    return update(operationId, status, step, errorType, message, event, null);
  }

  private static Optional<OperationUpdate> update(
      String operationId,
      OperationStatus status,
      String step,
      String errorType,
      String message,
      LifecycleEvent event,
      OperationResult result) {
    if (operationId == null) {
      return Optional.empty();
    }
    // An event without a time still counts, as the newest so far.
    Instant at = event.at() == null ? Instant.now() : event.at();
    return Optional.of(
        new OperationUpdate(operationId, status, step, errorType, message, at, result));
  }

  /**
   * The event as SSE subscribers get it: the payload's JSON plus {@code type}, {@code id} and
   * {@code time}.
   *
   * @param tenantId the VM's tenant, from the event's {@code tenantid} extension or the read model
   */
  public static LifecycleNotice toNotice(
      CloudEvent event, LifecycleEvent payload, String tenantId) {
    JsonNode data;
    try {
      data = Json.mapper().readTree(event.data());
    } catch (java.io.IOException e) {
      throw new MalformedEventException("event " + event.id() + " data is not JSON", e);
    }
    if (!(data instanceof ObjectNode object)) {
      throw new MalformedEventException("event " + event.id() + " data is not a JSON object");
    }
    object.put("type", event.type());
    object.put("id", event.id());
    if (event.time() != null) {
      object.put("time", event.time().toString());
    }
    return new LifecycleNotice(event.id(), event.type(), payload.vmId(), tenantId, payload, object);
  }
}
