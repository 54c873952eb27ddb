package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.mapping.CommandMapper;
import dev.virtsaga.gateway.service.RequestValidator;
import dev.virtsaga.gateway.service.TransferUrlPolicy;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Disk images into VMs: an import makes a new VM whose root disk is a copy of an image. Its URL
 * passes the transfer allow-list before anything is published.
 */
@Path("/v1/disks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Disks")
public class DiskImportResource {
  private final CommandSubmitter commands;
  private final RequestValidator validator;
  private final TransferUrlPolicy urls;

  public DiskImportResource(
      CommandSubmitter commands, RequestValidator validator, TransferUrlPolicy urls) {
    this.commands = commands;
    this.validator = validator;
    this.urls = urls;
  }

  @POST
  @Path("/import")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Import a disk image as a new VM",
      description =
          "Publishes a CREATE command for a new VM whose root disk is copied from the image at"
              + " the URL, after checking its SHA-256 (a mismatch fails the operation). Answered"
              + " like POST /v1/vms. The URL must pass the transfer allow-list (422"
              + " url-not-allowed); a host the provider does not declare is 422 unknown-host."
              + " Needs the provider's DISK_EXPORT_IMPORT capability.")
  @APIResponse(responseCode = "202", ref = "Accepted")
  @APIResponse(responseCode = "400", ref = "Problem400")
  @APIResponse(responseCode = "409", ref = "Problem409")
  @APIResponse(responseCode = "422", ref = "Problem422")
  @APIResponse(responseCode = "503", ref = "Problem503")
  public Uni<Response> importDisk(
      @HeaderParam(Tenant.HEADER) String tenant,
      @HeaderParam(VmResource.IDEMPOTENCY_KEY) String idempotencyKey,
      @HeaderParam(VmResource.REQUEST_ID) String requestId,
      ImportDiskRequest body) {
    Tenant t = Tenant.fromHeader(tenant);
    validator.validateIdempotencyKey(idempotencyKey);
    validator.validateImport(body);
    return urls.check("url", body.url())
        .chain(
            url ->
                commands.submit(t, idempotencyKey, requestId, CommandMapper.importDisk(body, url)));
  }
}
