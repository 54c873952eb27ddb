package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/vms/{id}/disks/export}. Unknown properties are refused. */
@Schema(name = "ExportDiskRequest", description = "Where and how to write one of the VM's disks")
public record ExportDiskRequest(
    @Schema(
            description =
                "Target: file:///… under an allowed directory, or http(s):// to a public host or"
                    + " an allowed one",
            examples = "file:///var/lib/virtsaga/transfer/web-1.qcow2")
        @NotNull
        @Size(min = 1, max = ImportDiskRequest.MAX_URL)
        String url,
    @Schema(
            description = "Image format to write",
            enumeration = {"qcow2", "raw", "vmdk"})
        @NotNull
        @Pattern(regexp = ImportDiskRequest.FORMAT, message = "must be one of qcow2, raw, vmdk")
        String format,
    @Schema(description = "The disk (a diskId of GET /v1/vms/{id}/disks); absent: the root disk")
        @Pattern(regexp = DISK_ID, message = "must be 1-128 characters of [A-Za-z0-9_.:-]")
        String diskId,
    @Schema(description = "Export the disk as it was in this snapshot; absent: as it is now")
        @Size(min = 1, max = 128)
        String snapshotId) {

  public static final String DISK_ID = "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$";
}
