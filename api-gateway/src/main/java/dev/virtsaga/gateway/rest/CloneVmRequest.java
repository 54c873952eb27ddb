package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/vms/{id}/clone}. Unknown properties are refused. */
@Schema(name = "CloneVmRequest", description = "The VM to make as a copy of this one")
public record CloneVmRequest(
    @Schema(description = "The new VM's name (DNS label style)", examples = "web-1-copy")
        @NotNull
        @Pattern(
            regexp = CreateVmRequest.NAME_PATTERN,
            message = "must be a DNS label: " + CreateVmRequest.NAME_PATTERN)
        String name,
    @Schema(description = "Copy the VM as it was in this snapshot (one of its snapshots' ids)")
        @Size(min = 1, max = 128)
        String snapshotId) {}
