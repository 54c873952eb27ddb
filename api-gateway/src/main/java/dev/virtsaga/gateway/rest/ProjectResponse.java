package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.gateway.OperationStatus;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A project and how far each of its VMs has come. */
@Schema(name = "Project")
public record ProjectResponse(
    @JsonProperty("project_name") String projectName,
    Instant createdAt,
    Summary summary,
    @Schema(description = "The project's VMs, in request order") List<Vm> vms) {

  /** How many VMs are where; the counts add up to {@code total}. */
  @Schema(name = "ProjectSummary")
  public record Summary(
      int total,
      @Schema(description = "RUNNING in the read model") int running,
      @Schema(description = "Create FAILED or REJECTED, or the VM is FAILED") int failed,
      @Schema(description = "Create not finished yet, or the VM is in a transitional state")
          int inProgress,
      @Schema(
              description =
                  "Create not published yet (the gateway stopped mid-way): repeat the POST to"
                      + " complete the project")
          int notSubmitted,
      @Schema(description = "Made, but not running now (stopped, suspended, deleted, …)")
          int other) {}

  /** One VM of the project. */
  @Schema(name = "ProjectVm")
  public record Vm(
      String name,
      String instance,
      String vmId,
      @Schema(description = "The VM's create") String operationId,
      @Schema(description = "Whether the create was published") boolean submitted,
      @Schema(description = "In the read model; absent when it has the VM not (yet, or any more)")
          VmState state,
      @Schema(description = "The create's status") OperationStatus status,
      @Schema(description = "The saga step the create is at, when reported") String step,
      @Schema(description = "Why the create failed or was rejected")
          OperationResponse.Error error) {}
}
