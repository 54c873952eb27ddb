package dev.virtsaga.gateway.rest;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.FieldError;
import dev.virtsaga.gateway.InvalidRequestException;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.NotSupportedException;
import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.mapping.CommandMapper;
import dev.virtsaga.gateway.mapping.ViewMapper;
import dev.virtsaga.gateway.repository.VmReadModel;
import dev.virtsaga.gateway.service.CommandRequest;
import dev.virtsaga.gateway.service.RequestValidator;
import dev.virtsaga.gateway.service.VmQueryService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * VMs: commands (answered 202 once Kafka acknowledged them) and reads from the read model.
 *
 * <p>Every command endpoint honours the {@code Idempotency-Key} header: the same key with the same
 * request replays the first answer; with a different request it is refused (422).
 */
@Path("/v1/vms")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "VMs")
public class VmResource {
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String REQUEST_ID = "X-Request-Id";

  private final CommandSubmitter commands;
  private final VmQueryService queries;
  private final RequestValidator validator;
  private final GatewayConfig config;

  public VmResource(
      CommandSubmitter commands,
      VmQueryService queries,
      RequestValidator validator,
      GatewayConfig config) {
    this.commands = commands;
    this.queries = queries;
    this.validator = validator;
    this.config = config;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Create a VM", description = "Publishes a CREATE command")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> create(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Makes retries safe: same key + same request = same operation")
          @HeaderParam(IDEMPOTENCY_KEY)
          String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      CreateVmRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateCreate(body);
    return submit(t, idempotencyKey, requestId, CommandMapper.create(body));
  }

  @POST
  @Path("/{id}/actions/{action}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(summary = "Start, stop, reboot, suspend or resume a VM")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> action(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      @Parameter(schema = @Schema(enumeration = {"start", "stop", "reboot", "suspend", "resume"}))
          @PathParam("action")
          String action,
      ActionRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    CommandType type =
        switch (action) {
          case "start" -> CommandType.START;
          case "stop" -> CommandType.STOP;
          case "reboot" -> CommandType.REBOOT;
          case "suspend" -> CommandType.SUSPEND;
          case "resume" -> CommandType.RESUME;
          default ->
              throw new NotFoundException(
                  "unknown action '" + action + "'; one of start, stop, reboot, suspend, resume");
        };
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateAction(action, body);
    return submit(t, idempotencyKey, requestId, CommandMapper.action(vmId, type, body));
  }

  @PATCH
  @Path("/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Reconfigure a VM",
      description =
          "Changes CPUs, memory or root disk size of a running or stopped VM; the VM passes"
              + " through RECONFIGURING and returns to its state with the new spec")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  public Uni<Response> reconfigure(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      ReconfigureVmRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateReconfigure(body);
    VmSpec current = queries.get(t.id(), vmId).spec();
    if (body.diskGiB() != null && body.diskGiB() < current.diskGiB()) {
      throw new NotSupportedException(
          "a disk cannot shrink: " + current.diskGiB() + " GiB now, " + body.diskGiB() + " asked");
    }
    return submit(t, idempotencyKey, requestId, CommandMapper.reconfigure(vmId, current, body));
  }

  @POST
  @Path("/{id}/snapshots")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Take a snapshot",
      description =
          "The VM is locked (condition Locked) while the snapshot is taken; its state does not"
              + " change. The snapshot's id is the operation id of this command.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  public Uni<Response> createSnapshot(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      SnapshotRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateSnapshot(body);
    return submit(
        t,
        idempotencyKey,
        requestId,
        CommandMapper.snapshot(vmId, CommandType.SNAPSHOT_CREATE, null, body.name()));
  }

  /** The snapshots of a VM. */
  public record SnapshotList(List<SnapshotView> items) {}

  @GET
  @Path("/{id}/snapshots")
  @Operation(summary = "List a VM's snapshots", description = "Oldest first, with their phase")
  public SnapshotList snapshots(
      @HeaderParam(Tenant.HEADER) String tenant, @PathParam("id") String vmId) {
    VmSnapshot vm = queries.get(Tenant.fromHeader(tenant).id(), vmId);
    return new SnapshotList(vm.snapshots() == null ? List.of() : vm.snapshots());
  }

  @DELETE
  @Path("/{id}/snapshots/{sid}")
  @Operation(summary = "Delete a snapshot")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "404", ref = "Problem404")
  public Uni<Response> deleteSnapshot(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      @PathParam("sid") String snapshotId) {
    return snapshotCommand(
        tenant, idempotencyKey, requestId, vmId, snapshotId, CommandType.SNAPSHOT_DELETE);
  }

  @POST
  @Path("/{id}/snapshots/{sid}/revert")
  @Operation(
      summary = "Revert a VM to a snapshot",
      description = "The VM ends in the power state the snapshot captured")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "404", ref = "Problem404")
  public Uni<Response> revertSnapshot(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      @PathParam("sid") String snapshotId) {
    return snapshotCommand(
        tenant, idempotencyKey, requestId, vmId, snapshotId, CommandType.SNAPSHOT_REVERT);
  }

  private Uni<Response> snapshotCommand(
      String tenant,
      String idempotencyKey,
      String requestId,
      String vmId,
      String snapshotId,
      CommandType type) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    VmSnapshot vm = queries.get(t.id(), vmId);
    boolean known =
        vm.snapshots() != null && vm.snapshots().stream().anyMatch(s -> s.id().equals(snapshotId));
    if (!known) {
      throw new NotFoundException("VM " + vmId + " has no snapshot " + snapshotId);
    }
    return submit(
        t, idempotencyKey, requestId, CommandMapper.snapshot(vmId, type, snapshotId, null));
  }

  @POST
  @Path("/{id}/clone")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Clone a VM",
      description =
          "Copies the VM (as it is now, or as it was in one of its snapshots) into a new, stopped"
              + " VM of the same provider. The gateway chooses the new VM's id and answers it as"
              + " `cloneVmId`; the VM appears at /v1/vms/{cloneVmId} once the clone exists, and"
              + " the operation's result names it. The source VM is locked meanwhile; its state"
              + " does not change. Needs the provider's CLONE capability.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> cloneVm(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      CloneVmRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateClone(body);
    return submit(t, idempotencyKey, requestId, CommandMapper.clone(vmId, body));
  }

  @POST
  @Path("/{id}/migrate")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Migrate a VM to another host",
      description =
          "Moves the VM to another host of its provider; it is MIGRATING meanwhile. When the"
              + " provider declares its hosts (GET /v1/providers), the target must be one of them"
              + " (422 unknown-host otherwise). Moving a VM to the host it is on (its spec's host,"
              + " or the provider's first host when the spec names none) is refused with 409"
              + " already-on-host. Needs the provider's MIGRATION capability.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> migrate(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      MigrateVmRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateMigrate(body);
    return submit(t, idempotencyKey, requestId, CommandMapper.migrate(vmId, body));
  }

  @DELETE
  @Path("/{id}/migrate")
  @Operation(
      summary = "Abort a VM's migration",
      description =
          "Cancels the running migration (an ABORT command); the VM stays on its host. Refused"
              + " with 409 not-migrating unless the VM is MIGRATING. Needs the provider's"
              + " MIGRATION capability.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> abortMigration(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    return submit(t, idempotencyKey, requestId, CommandMapper.abort(vmId));
  }

  @DELETE
  @Path("/{id}")
  @Operation(
      summary = "Delete a VM",
      description = "Pre-empts any operation in flight except another delete")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> delete(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(REQUEST_ID) String requestId,
      @PathParam("id") String vmId) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    return submit(t, idempotencyKey, requestId, CommandMapper.delete(vmId));
  }

  @GET
  @Operation(summary = "List VMs", description = "Oldest first; stable order")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = VmListResponse.class)))
  public VmListResponse list(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(
              description = "Only VMs in this state",
              schema = @Schema(implementation = VmState.class))
          @QueryParam("state")
          String state,
      @Parameter(description = "Page size", schema = @Schema(type = SchemaType.INTEGER))
          @QueryParam("limit")
          String limit,
      @Parameter(description = "VMs to skip", schema = @Schema(type = SchemaType.INTEGER))
          @QueryParam("offset")
          String offset) {
    Tenant t = Tenant.fromHeader(tenant);
    Optional<VmState> stateFilter = parseState(state);
    int pageSize =
        parseInt("limit", limit, config.listing().defaultLimit(), 1, config.listing().maxLimit());
    int skip = parseInt("offset", offset, 0, 0, Integer.MAX_VALUE);
    VmReadModel.Page page = queries.list(t.id(), stateFilter, skip, pageSize);
    return new VmListResponse(
        page.items().stream().map(ViewMapper::toResponse).toList(), page.total(), skip, pageSize);
  }

  @GET
  @Path("/{id}")
  @Operation(summary = "Get a VM")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = VmResponse.class)))
  @APIResponse(responseCode = "404", ref = "Problem404")
  public VmResponse get(@HeaderParam(Tenant.HEADER) String tenant, @PathParam("id") String vmId) {
    return ViewMapper.toResponse(queries.get(Tenant.fromHeader(tenant).id(), vmId));
  }

  private Uni<Response> submit(
      Tenant tenant, String idempotencyKey, String requestId, CommandRequest request) {
    return commands.submit(tenant, idempotencyKey, requestId, request);
  }

  private static Optional<VmState> parseState(String state) {
    if (state == null || state.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(VmState.valueOf(state.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(
          "Unknown state",
          List.of(new FieldError("state", "must be one of " + List.of(VmState.values()))));
    }
  }

  static int parseInt(String name, String value, int fallback, int min, int max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidRequestException(
        "Invalid " + name,
        List.of(new FieldError(name, "must be an integer between " + min + " and " + max)));
  }
}
