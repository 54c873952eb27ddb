package dev.virtsaga.gateway.repository;

import java.time.Instant;

/**
 * A row of {@code idempotency_keys}: which request a key was first used for and the operation it
 * started.
 *
 * @param completed whether the command was published; until then a repeat is answered 409
 * @param targetVmId a clone: the VM it makes; otherwise {@code null}
 */
public record IdempotencyRecord(
    String tenantId,
    String key,
    String requestHash,
    boolean completed,
    String operationId,
    String vmId,
    Instant createdAt,
    Instant expiresAt,
    String targetVmId) {

  /** A key of a command that makes no second VM. */
  public IdempotencyRecord(
      String tenantId,
      String key,
      String requestHash,
      boolean completed,
      String operationId,
      String vmId,
      Instant createdAt,
      Instant expiresAt) {
    this(tenantId, key, requestHash, completed, operationId, vmId, createdAt, expiresAt, null);
  }
}
