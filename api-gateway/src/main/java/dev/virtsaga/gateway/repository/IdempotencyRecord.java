package dev.virtsaga.gateway.repository;

import java.time.Instant;

/**
 * A row of {@code idempotency_keys}: which request a key was first used for and the operation it
 * started.
 *
 * @param completed whether the command was published; until then a repeat is answered 409
 */
public record IdempotencyRecord(
    String tenantId,
    String key,
    String requestHash,
    boolean completed,
    String operationId,
    String vmId,
    Instant createdAt,
    Instant expiresAt) {}
