package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code PATCH /v1/vms/{id}}: the sizes to change; absent fields stay as they are. Unknown
 * properties are refused.
 */
@Schema(name = "ReconfigureVmRequest", description = "New sizes of a VM; at least one")
public record ReconfigureVmRequest(
    @Schema(description = "Virtual CPUs") @Min(1) @Max(128) Integer cpus,
    @Schema(description = "Memory in MiB") @Min(64) @Max(1_048_576) Long memoryMiB,
    @Schema(description = "Root disk in GiB; it can grow, never shrink") @Min(1) @Max(65_536)
        Long diskGiB) {

  public boolean isEmpty() {
    return cpus == null && memoryMiB == null && diskGiB == null;
  }
}
