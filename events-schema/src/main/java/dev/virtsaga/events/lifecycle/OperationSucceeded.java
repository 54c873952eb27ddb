package dev.virtsaga.events.lifecycle;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.OperationResult;
import java.time.Instant;

/**
 * An operation completed.
 *
 * @param result what it produced: an export's location and SHA-256, a clone's vmId, a migration's
 *     host
 */
public record OperationSucceeded(
    String vmId, String operationId, CommandType operation, Instant at, @Opt OperationResult result)
    implements LifecycleEvent {

  /** An operation that produced nothing but the VM's new state. */
  public OperationSucceeded(String vmId, String operationId, CommandType operation, Instant at) {
    this(vmId, operationId, operation, at, null);
  }
}
