package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Optional body of {@code POST /v1/vms/{id}/actions/stop}; the other actions take none. */
@Schema(name = "ActionRequest", description = "Options of the stop action")
public record ActionRequest(
    @Schema(description = "Power off at once instead of a graceful shutdown first") Boolean force,
    @Schema(description = "How long a graceful shutdown may take before it is forced")
        @Min(1)
        @Max(3600)
        Integer gracefulTimeoutSeconds) {

  public static final ActionRequest NONE = new ActionRequest(null, null);

  /** Whether no option is set (not a property: a body saying {@code "empty"} is refused). */
  public boolean noOptions() {
    return force == null && gracefulTimeoutSeconds == null;
  }
}
