package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.mapping.ViewMapper;
import dev.virtsaga.gateway.service.OperationService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operations started by commands, followed through the orchestrator's lifecycle events. */
@Path("/v1/operations")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operations")
public class OperationResource {
  private final OperationService operations;

  public OperationResource(OperationService operations) {
    this.operations = operations;
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "Get an operation's status")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = OperationResponse.class)))
  @APIResponse(responseCode = "404", ref = "Problem404")
  public Uni<OperationResponse> get(
      @HeaderParam(Tenant.HEADER) String tenant, @PathParam("id") String operationId) {
    return operations.get(Tenant.fromHeader(tenant).id(), operationId).map(ViewMapper::toResponse);
  }
}
