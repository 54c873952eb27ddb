package dev.virtsaga.gateway;

import java.time.Instant;

/**
 * One decision about an adoption candidate, as recorded.
 *
 * @param action {@code ADOPTED} or {@code DISMISSED}
 * @param actorTenant the caller's tenant (its {@code X-Tenant-Id}, until authentication lands)
 * @param actorRequestId the caller's {@code X-Request-Id}, if it sent one
 * @param details JSON: the operationId, the request body, the candidate as it was
 */
public record AdoptionAuditEntry(
    long id,
    String vmId,
    String action,
    String actorTenant,
    String actorRequestId,
    Instant at,
    String details) {}
