package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /v1/adoptions/{vmId}}: what the adopted VM is. Its provider, host, power,
 * addresses and hypervisor id come from the candidate. Unknown properties are refused.
 */
@Schema(name = "AdoptVmRequest", description = "What an adoption candidate becomes")
public record AdoptVmRequest(
    @Schema(description = "The tenant the VM will belong to; absent: the caller's (X-Tenant-Id)")
        @Pattern(regexp = Tenant.PATTERN, message = "must match " + Tenant.PATTERN)
        String tenantId,
    @Schema(
            description =
                "DNS-label style name; absent: derived from the hypervisor's name of the VM"
                    + " (providerRef), else from its id",
            examples = "web-1")
        @Pattern(
            regexp = CreateVmRequest.NAME_PATTERN,
            message = "must be a DNS label: " + CreateVmRequest.NAME_PATTERN)
        String name,
    @Schema(description = "Virtual CPUs the VM has") @NotNull @Min(1) @Max(128) Integer cpus,
    @Schema(description = "Memory in MiB the VM has") @NotNull @Min(64) @Max(1_048_576)
        Long memoryMiB,
    @Schema(description = "Root disk in GiB; absent: 0 (not managed)") @Min(0) @Max(65_536)
        Long diskGiB,
    @Schema(
            description = "The VM's drift policy; absent: ADOPT",
            enumeration = {"ADOPT", "ENFORCE", "ALERT"})
        @Pattern(
            regexp = CreateVmRequest.DRIFT_POLICY_PATTERN,
            message = CreateVmRequest.DRIFT_POLICY_MESSAGE)
        String driftPolicy,
    @Schema(description = "Free-form labels") @Size(max = 64) Map<String, String> labels) {}
