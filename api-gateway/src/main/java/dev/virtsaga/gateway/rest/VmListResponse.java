package dev.virtsaga.gateway.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of VMs, oldest first. */
@Schema(name = "VmList")
public record VmListResponse(
    List<VmResponse> items,
    @Schema(description = "How many VMs match in all") int total,
    int offset,
    int limit) {}
