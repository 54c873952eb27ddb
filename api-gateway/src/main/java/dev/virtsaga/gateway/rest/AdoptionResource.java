package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.service.AdoptionService;
import dev.virtsaga.gateway.service.RequestValidator;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
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
 * Adoption candidates: VMs carrying VirtSaga's tag that the watcher sees on a hypervisor but
 * VirtSaga does not manage. An administrator's API: candidates are cluster-wide (no tenant owns
 * one), and until authentication and roles land any caller may use it; its {@code X-Tenant-Id} is
 * recorded as the actor of each decision and is the adopted VM's default tenant.
 */
@Path("/v1/adoptions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
    name = "Adoptions",
    description =
        "Cluster-wide (admin): VMs found on hypervisors that VirtSaga does not manage, to adopt or"
            + " dismiss. Every decision is audited.")
public class AdoptionResource {
  private final AdoptionService adoptions;
  private final RequestValidator validator;
  private final GatewayConfig config;

  public AdoptionResource(
      AdoptionService adoptions, RequestValidator validator, GatewayConfig config) {
    this.adoptions = adoptions;
    this.validator = validator;
    this.config = config;
  }

  @GET
  @Operation(
      summary = "List adoption candidates",
      description =
          "PENDING candidates, oldest first: VMs carrying VirtSaga's tag that the watcher reports"
              + " and VirtSaga does not manage. Cluster-wide: not filtered by tenant.")
  @APIResponse(
      responseCode = "200",
      content =
          @Content(schema = @Schema(implementation = AdoptionCandidateResponse.ListResponse.class)))
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<AdoptionCandidateResponse.ListResponse> list(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Only candidates of this provider") @QueryParam("provider")
          String provider) {
    Tenant.fromHeader(tenant);
    return adoptions
        .pending(blankToEmpty(provider))
        .map(
            items ->
                new AdoptionCandidateResponse.ListResponse(
                    items.stream().map(AdoptionCandidateResponse::of).toList()));
  }

  @GET
  @Path("/audit")
  @Operation(
      summary = "Read the adoption audit trail",
      description = "Adoptions and dismissals, newest first, with who made them and how")
  @APIResponse(
      responseCode = "200",
      content =
          @Content(schema = @Schema(implementation = AdoptionAuditResponse.ListResponse.class)))
  @APIResponse(responseCode = "400", ref = "Problem400")
  public Uni<AdoptionAuditResponse.ListResponse> audit(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Only entries about this VM") @QueryParam("vmId") String vmId,
      @Parameter(
              description = "How many entries at most",
              schema = @Schema(type = SchemaType.INTEGER))
          @QueryParam("limit")
          String limit) {
    Tenant.fromHeader(tenant);
    int pageSize =
        VmResource.parseInt(
            "limit", limit, config.listing().defaultLimit(), 1, config.listing().maxLimit());
    return adoptions
        .audit(blankToEmpty(vmId), pageSize)
        .map(
            entries ->
                new AdoptionAuditResponse.ListResponse(
                    entries.stream().map(AdoptionAuditResponse::of).toList()));
  }

  @GET
  @Path("/{vmId}")
  @Operation(summary = "Get an adoption candidate", description = "Whatever its status")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = AdoptionCandidateResponse.class)))
  @APIResponse(responseCode = "404", ref = "Problem404")
  public Uni<AdoptionCandidateResponse> get(
      @HeaderParam(Tenant.HEADER) String tenant, @PathParam("vmId") String vmId) {
    Tenant.fromHeader(tenant);
    return adoptions.get(vmId).map(AdoptionCandidateResponse::of);
  }

  @POST
  @Path("/{vmId}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Adopt a candidate",
      description =
          "Publishes an ADOPT command: VirtSaga takes the VM over, keeping its id, in the state"
              + " its observed power implies (ON: RUNNING, OFF: STOPPED, PAUSED: SUSPENDED), with"
              + " the candidate's provider and host and the body's sizes. The VM belongs to the"
              + " body's tenantId (default: the caller's); the operation is that tenant's. The"
              + " candidate is ADOPTED at once; if the orchestrator refuses the command it is"
              + " PENDING again. 404: no such candidate; 409: the candidate is not PENDING"
              + " (candidate-not-pending), its power is not known (candidate-power-unknown), or"
              + " VirtSaga manages the VM already (vm-exists). Audited.")
  @APIResponse(
      responseCode = "202",
      description = "ADOPT command accepted; follow the operation at Location",
      headers = @Header(name = "Location", description = "/v1/operations/{operationId}"),
      content =
          @Content(schema = @Schema(implementation = dev.virtsaga.gateway.CommandReceipt.class)))
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> adopt(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Makes retries safe: same key + same request = same operation")
          @HeaderParam(VmResource.IDEMPOTENCY_KEY)
          String idempotencyKey,
      @HeaderParam(VmResource.REQUEST_ID) String requestId,
      @PathParam("vmId") String vmId,
      AdoptVmRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateAdopt(body);
    String given = requestId == null || requestId.isBlank() ? null : requestId;
    String correlation = given == null ? UUID.randomUUID().toString() : given;
    return adoptions
        .adopt(t, idempotencyKey, given, correlation, vmId, body)
        .map(
            receipt ->
                Response.accepted(receipt)
                    .header("Location", "/v1/operations/" + receipt.operationId())
                    .build());
  }

  @DELETE
  @Path("/{vmId}")
  @Operation(
      summary = "Dismiss a candidate",
      description =
          "VirtSaga leaves the VM alone: it is no longer listed, and later observations do not"
              + " bring it back. Dismissing a dismissed candidate changes nothing. 404: no such"
              + " candidate; 409: it was adopted (candidate-adopted). Audited.")
  @APIResponse(responseCode = "204", description = "Dismissed")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  public Uni<Response> dismiss(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(VmResource.REQUEST_ID) String requestId,
      @PathParam("vmId") String vmId) {
    Tenant t = Tenant.fromHeader(tenant);
    String given = requestId == null || requestId.isBlank() ? null : requestId;
    return adoptions.dismiss(t, given, vmId).map(v -> Response.noContent().build());
  }

  private static Optional<String> blankToEmpty(String value) {
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
