package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.mapping.ProjectMapper;
import dev.virtsaga.gateway.service.ProjectService;
import dev.virtsaga.gateway.service.ProjectValidator;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Projects: many VMs from one request in the seed's batch format, fanned out into one create per
 * VM, and their progress.
 */
@Path("/v1/projects")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Projects")
public class ProjectResource {
  private final ProjectService projects;
  private final ProjectValidator validator;
  private final GatewayConfig config;

  public ProjectResource(
      ProjectService projects, ProjectValidator validator, GatewayConfig config) {
    this.projects = projects;
    this.validator = validator;
    this.config = config;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Create a project",
      description =
          "Publishes one CREATE per VM: an instance of number_of_instances n makes VMs <name>-1 …"
              + " <name>-n (just <name> when n is 1). Every create is checked first; one refused"
              + " refuses the project and nothing is published. Safe to repeat: the same request"
              + " again answers the same VMs and publishes only the creates still missing (after"
              + " a crash or a 503 mid-way); another request under the same name is refused with"
              + " 409 project-exists. Failures after acceptance show per VM at"
              + " GET /v1/projects/{name}.")
  @APIResponse(
      responseCode = "202",
      description = "Every create was published; follow the project at Location",
      headers = @Header(name = "Location", description = "/v1/projects/{project_name}"),
      content = @Content(schema = @Schema(implementation = ProjectAcceptedResponse.class)))
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> create(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(VmResource.REQUEST_ID) String requestId,
      ProjectRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validate(body);
    String correlation =
        requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
    return projects
        .create(t.id(), correlation, body)
        .map(
            vms ->
                Response.accepted(ProjectMapper.toAccepted(body.projectName(), vms))
                    .header("Location", "/v1/projects/" + body.projectName())
                    .build());
  }

  @GET
  @Path("/{name}")
  @Operation(
      summary = "Get a project's progress",
      description =
          "Each VM with its state (read model) and its create's status and error, and a summary")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = ProjectResponse.class)))
  @APIResponse(responseCode = "404", ref = "Problem404")
  public Uni<ProjectResponse> get(
      @HeaderParam(Tenant.HEADER) String tenant, @PathParam("name") String name) {
    return projects.get(Tenant.fromHeader(tenant).id(), name).map(ProjectMapper::toResponse);
  }

  @GET
  @Operation(summary = "List projects", description = "Oldest first")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = ProjectListResponse.class)))
  public Uni<ProjectListResponse> list(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Page size", schema = @Schema(type = SchemaType.INTEGER))
          @QueryParam("limit")
          String limit,
      @Parameter(description = "Projects to skip", schema = @Schema(type = SchemaType.INTEGER))
          @QueryParam("offset")
          String offset) {
    Tenant t = Tenant.fromHeader(tenant);
    int pageSize =
        VmResource.parseInt(
            "limit", limit, config.listing().defaultLimit(), 1, config.listing().maxLimit());
    int skip = VmResource.parseInt("offset", offset, 0, 0, Integer.MAX_VALUE);
    return projects
        .list(t.id(), skip, pageSize)
        .map(page -> ProjectMapper.toResponse(page, skip, pageSize));
  }
}
