package dev.virtsaga.gateway.rest;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.gateway.AdoptionCandidate;
import dev.virtsaga.gateway.AdoptionStatus;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An adoption candidate as the API shows it. */
@Schema(
    name = "AdoptionCandidate",
    description =
        "A VM carrying VirtSaga's tag on a hypervisor that VirtSaga does not manage (a lost"
            + " database, a restore, another installation)")
public record AdoptionCandidateResponse(
    String vmId,
    String provider,
    @Schema(description = "The power last observed") PowerState power,
    List<String> ips,
    @Schema(description = "The hypervisor's id of the VM") String providerRef,
    String host,
    Instant firstSeen,
    Instant lastSeen,
    AdoptionStatus status,
    Instant statusChangedAt,
    @Schema(description = "ADOPTED: the tenant it was adopted into") String tenantId,
    @Schema(description = "ADOPTED: the ADOPT command's operation") String operationId) {

  public static AdoptionCandidateResponse of(AdoptionCandidate c) {
    return new AdoptionCandidateResponse(
        c.vmId(),
        c.provider(),
        c.power(),
        c.ips() == null ? List.of() : c.ips(),
        c.providerRef(),
        c.host(),
        c.firstSeen(),
        c.lastSeen(),
        c.status(),
        c.statusChangedAt(),
        c.tenantId(),
        c.operationId());
  }

  /** The pending candidates. */
  @Schema(name = "AdoptionCandidateList")
  public record ListResponse(List<AdoptionCandidateResponse> items) {}
}
