package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /v1/disks/import}: a new VM whose root disk is a copy of a disk image.
 * Unknown properties are refused.
 */
@Schema(name = "ImportDiskRequest", description = "The VM to make from a disk image")
public record ImportDiskRequest(
    @Schema(description = "DNS-label style name", examples = "imported-1")
        @NotNull
        @Pattern(
            regexp = CreateVmRequest.NAME_PATTERN,
            message = "must be a DNS label: " + CreateVmRequest.NAME_PATTERN)
        String name,
    @Schema(description = "Provider to run the VM on; one of the enabled providers") @NotNull
        String provider,
    @Schema(description = "Virtual CPUs") @NotNull @Min(1) @Max(128) Integer cpus,
    @Schema(description = "Memory in MiB") @NotNull @Min(64) @Max(1_048_576) Long memoryMiB,
    @Schema(
            description = "Root disk in GiB; 0 (the default) keeps the image's size, more grows it",
            defaultValue = "0")
        @Min(0)
        @Max(65_536)
        Long diskGiB,
    @Schema(
            description =
                "The image: file:///… under an allowed directory, or http(s):// to a public host or"
                    + " an allowed one",
            examples = "file:///var/lib/virtsaga/transfer/base.qcow2")
        @NotNull
        @Size(min = 1, max = MAX_URL)
        String url,
    @Schema(
            description = "The image's format",
            enumeration = {"qcow2", "raw", "vmdk"})
        @NotNull
        @Pattern(regexp = FORMAT, message = "must be one of qcow2, raw, vmdk")
        String format,
    @Schema(
            description =
                "SHA-256 the image must have (64 hex digits); a mismatch fails the import")
        @NotNull
        @Pattern(regexp = SHA256, message = "must be 64 hexadecimal digits")
        String sha256,
    @Schema(description = "Free-form labels") @Size(max = 64) Map<String, String> labels,
    @Schema(description = "The provider's host to put the VM on; absent: the default host")
        @Pattern(
            regexp = MigrateVmRequest.HOST,
            message = "must be 1-1024 printable characters, no spaces")
        String host) {

  public static final int MAX_URL = 4096;
  public static final String FORMAT = "^(qcow2|raw|vmdk)$";
  public static final String SHA256 = "^[0-9a-fA-F]{64}$";
}
