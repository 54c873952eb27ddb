package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/vms}. Unknown properties are refused. */
@Schema(name = "CreateVmRequest", description = "The VM to create")
public record CreateVmRequest(
    @Schema(description = "DNS-label style name", examples = "web-1")
        @NotNull
        @Pattern(regexp = NAME_PATTERN, message = "must be a DNS label: " + NAME_PATTERN)
        String name,
    @Schema(description = "Provider to run the VM on; one of the enabled providers") @NotNull
        String provider,
    @Schema(description = "Virtual CPUs") @NotNull @Min(1) @Max(128) Integer cpus,
    @Schema(description = "Memory in MiB") @NotNull @Min(64) @Max(1_048_576) Long memoryMiB,
    @Schema(description = "Root disk in GiB (0 = no disk)") @NotNull @Min(0) @Max(65_536)
        Long diskGiB,
    @Schema(description = "Image or template of the root disk, provider-specific")
        @Size(min = 1, max = 1024)
        String image,
    @Schema(description = "Free-form labels") @Size(max = 64) Map<String, String> labels,
    @Schema(
            description =
                "What happens when the VM's power changes behind VirtSaga's back: ADOPT (the"
                    + " state follows the hypervisor; the default), ENFORCE (VirtSaga powers it"
                    + " back), ALERT (only reported, as vm.power.drifted)",
            enumeration = {"ADOPT", "ENFORCE", "ALERT"})
        @Pattern(regexp = DRIFT_POLICY_PATTERN, message = DRIFT_POLICY_MESSAGE)
        String driftPolicy) {

  public static final String NAME_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

  /** The drift policies ({@link dev.virtsaga.events.model.DriftPolicy}), spelled exactly. */
  public static final String DRIFT_POLICY_PATTERN = "^(ADOPT|ENFORCE|ALERT)$";

  public static final String DRIFT_POLICY_MESSAGE = "must be one of ADOPT, ENFORCE, ALERT";
}
