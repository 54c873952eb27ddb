package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/vms/{id}/snapshots}. Unknown properties are refused. */
@Schema(name = "SnapshotRequest", description = "The snapshot to take")
public record SnapshotRequest(
    @Schema(description = "Display name", examples = "before-upgrade")
        @NotNull
        @Pattern(regexp = NAME, message = "must be 1-64 characters of [A-Za-z0-9_.-]")
        String name) {
  public static final String NAME = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";
}
