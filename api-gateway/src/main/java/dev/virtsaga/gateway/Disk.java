package dev.virtsaga.gateway;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One disk of a VM, as its provider reports it now (read live through the provider's worker).
 *
 * @param format {@code qcow2}, {@code raw}, {@code vmdk}, or {@code null} for another format
 */
@Schema(name = "Disk", description = "One disk of a VM, as the provider reports it")
public record Disk(
    @Schema(description = "The disk's id (root for the root disk); the diskId of an export")
        String diskId,
    @Schema(description = "Where the disk lives on the provider") String path,
    @Schema(enumeration = {"qcow2", "raw", "vmdk"}) String format,
    @Schema(description = "The size the guest sees") long virtualSizeBytes,
    @Schema(description = "The space it takes on the provider") long actualSizeBytes,
    @Schema(description = "The image it is layered on") String backingFile,
    @Schema(description = "Whether the VM boots from it") boolean bootable,
    @Schema(description = "Snapshots stored in the disk") List<String> snapshots,
    @Schema(description = "Provider-specific details") Map<String, String> raw) {}
