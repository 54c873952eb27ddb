package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.events.Json;
import dev.virtsaga.gateway.AdoptionAuditEntry;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One audited decision about an adoption candidate. */
@Schema(name = "AdoptionAuditEntry")
public record AdoptionAuditResponse(
    long id,
    String vmId,
    @Schema(enumeration = {"ADOPTED", "DISMISSED"}) String action,
    Actor actor,
    Instant at,
    @Schema(
            type = SchemaType.OBJECT,
            description =
                "ADOPTED: operationId, tenantId, the request body and the candidate as it was;"
                    + " DISMISSED: the candidate as it was")
        JsonNode details) {

  /** Who made the decision. */
  @Schema(name = "AdoptionActor")
  public record Actor(
      @Schema(description = "The caller's X-Tenant-Id (until authentication lands)") String tenant,
      @Schema(description = "The caller's X-Request-Id, if it sent one") String requestId) {}

  /** Audit entries, newest first. */
  @Schema(name = "AdoptionAuditList")
  public record ListResponse(List<AdoptionAuditResponse> items) {}

  public static AdoptionAuditResponse of(AdoptionAuditEntry e) {
    JsonNode details;
    try {
      details = Json.mapper().readTree(e.details());
    } catch (java.io.IOException ex) {
      details = Json.mapper().getNodeFactory().textNode(e.details());
    }
    return new AdoptionAuditResponse(
        e.id(),
        e.vmId(),
        e.action(),
        new Actor(e.actorTenant(), e.actorRequestId()),
        e.at(),
        details);
  }
}
