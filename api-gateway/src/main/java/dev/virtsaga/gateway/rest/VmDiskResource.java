package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Disk;
import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.mapping.CommandMapper;
import dev.virtsaga.gateway.service.DiskQueryService;
import dev.virtsaga.gateway.service.RequestValidator;
import dev.virtsaga.gateway.service.TransferUrlPolicy;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A VM's disks: read live from its provider, and exported to a URL. Export URLs pass the transfer
 * allow-list before anything is published.
 */
@Path("/v1/vms/{id}/disks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Disks")
public class VmDiskResource {
  private final CommandSubmitter commands;
  private final DiskQueryService disks;
  private final RequestValidator validator;
  private final TransferUrlPolicy urls;

  public VmDiskResource(
      CommandSubmitter commands,
      DiskQueryService disks,
      RequestValidator validator,
      TransferUrlPolicy urls) {
    this.commands = commands;
    this.disks = disks;
    this.validator = validator;
    this.urls = urls;
  }

  /** A VM's disks. */
  @Schema(name = "DiskList")
  public record DiskList(List<Disk> items) {}

  @GET
  @Operation(
      summary = "List a VM's disks",
      description =
          "Read live from the provider through its worker, root disk first. Needs the provider's"
              + " DISK_EXPORT_IMPORT capability (422 otherwise); 503 when the provider's worker"
              + " has no endpoint, is not healthy or does not answer.")
  @APIResponse(
      responseCode = "200",
      content = @Content(schema = @Schema(implementation = DiskList.class)))
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "502", ref = "Problem502")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<DiskList> list(
      @HeaderParam(Tenant.HEADER) String tenant, @PathParam("id") String vmId) {
    return disks.disks(Tenant.fromHeader(tenant).id(), vmId).map(DiskList::new);
  }

  @POST
  @Path("/export")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Export a disk",
      description =
          "Writes one of the VM's disks (the root disk unless diskId says otherwise), as it is now"
              + " or as in a snapshot, to the URL in the given format. The URL must pass the"
              + " transfer allow-list (422 url-not-allowed). The VM is locked meanwhile; once the"
              + " operation SUCCEEDED its result has the image's location, format, size and"
              + " SHA-256. Needs the provider's DISK_EXPORT_IMPORT capability.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "404", ref = "Problem404")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> export(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(VmResource.IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(VmResource.REQUEST_ID) String requestId,
      @PathParam("id") String vmId,
      ExportDiskRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateExport(body);
    return urls.check("url", body.url())
        .chain(
            url ->
                commands.submit(
                    t, idempotencyKey, requestId, CommandMapper.diskExport(vmId, body, url)));
  }
}
