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
    @Schema(
            description =
                "What it produced, once SUCCEEDED: a disk export's location, format, size and"
                    + " SHA-256; a clone's new vmId; a migration's host")
        Result result,
    Instant createdAt,
    Instant updatedAt) {

  @Schema(name = "OperationResult")
  public record Result(
      @Schema(description = "Disk export: where the image was written") String location,
      @Schema(description = "Disk export: the image's format") String format,
      @Schema(description = "Disk export: the image's size in bytes") Long sizeBytes,
      @Schema(description = "Disk export: the image's SHA-256 (hex); import: the verified source's")
          String sha256,
      @Schema(description = "Clone: the new VM") String vmId,
      @Schema(description = "Migration: the host the VM is on afterwards") String host) {}

  @Schema(name = "OperationError")
  public record Error(
      @Schema(description = "An ErrorType (failed) or RejectReason (rejected)") String type,
      String message) {}
}
