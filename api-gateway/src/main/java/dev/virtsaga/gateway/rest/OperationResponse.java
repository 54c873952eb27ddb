package dev.virtsaga.gateway.rest;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.gateway.OperationStatus;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An operation's status, as lifecycle events reported it. */
@Schema(name = "Operation")
public record OperationResponse(
    String operationId,
    String vmId,
    CommandType type,
    OperationStatus status,
    @Schema(description = "The saga step it is at, when reported") String step,
    @Schema(description = "Why it failed or was rejected") Error error,
    Instant createdAt,
    Instant updatedAt) {

  @Schema(name = "OperationError")
  public record Error(
      @Schema(description = "An ErrorType (failed) or RejectReason (rejected)") String type,
      String message) {}
}
