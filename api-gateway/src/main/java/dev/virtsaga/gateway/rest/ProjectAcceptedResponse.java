package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The answer to {@code POST /v1/projects}: every VM's create was published. */
@Schema(name = "ProjectAccepted", description = "The project's creates were accepted")
public record ProjectAcceptedResponse(
    @JsonProperty("project_name") String projectName,
    @Schema(description = "The project's VMs, in request order") List<Vm> vms) {

  /** One VM of the project and its create. */
  @Schema(name = "ProjectAcceptedVm")
  public record Vm(
      @Schema(description = "The VM's name: the instance's, or <instance>-<n>") String name,
      @Schema(description = "The request's instance it comes from") String instance,
      String vmId,
      @Schema(description = "The create; follow it at /v1/operations/{operationId}")
          String operationId) {}
}
