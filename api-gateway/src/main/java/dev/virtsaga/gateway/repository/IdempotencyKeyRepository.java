package dev.virtsaga.gateway.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The {@code idempotency_keys} table. */
@ApplicationScoped
public class IdempotencyKeyRepository {
  private final Pool pool;

  public IdempotencyKeyRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Claims a key for a new request: inserts the row, or takes over a row whose key has expired.
   * Safe under concurrency — of two simultaneous claims exactly one wins.
   *
   * @return whether this call claimed the key
   */
  public Uni<Boolean> claim(IdempotencyRecord record, Instant now) {
    return claim(record, now, null);
  }

  /**
   * Claims a key like {@link #claim(IdempotencyRecord, Instant)}, and also takes over a claim that
   * was never completed, was made before {@code takeoverBefore}, and is for the same request with
   * the same ids — the caller publishes exactly what the first claimant did (whose gateway died),
   * so doing it again is harmless. Ordinary requests get fresh ids and never take over.
   *
   * @param takeoverBefore claims older than this may be taken over; {@code null}: none
   */
  public Uni<Boolean> claim(IdempotencyRecord record, Instant now, Instant takeoverBefore) {
    return pool.preparedQuery(
            """
            INSERT INTO idempotency_keys
              (tenant_id, idempotency_key, request_hash, completed, operation_id, vm_id,
               created_at, expires_at, target_vm_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
            ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
              SET request_hash = EXCLUDED.request_hash, completed = EXCLUDED.completed,
                  operation_id = EXCLUDED.operation_id, vm_id = EXCLUDED.vm_id,
                  created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
                  target_vm_id = EXCLUDED.target_vm_id
              WHERE idempotency_keys.expires_at <= $9
                 OR (NOT idempotency_keys.completed
                     AND idempotency_keys.created_at < $11
                     AND idempotency_keys.request_hash = EXCLUDED.request_hash
                     AND idempotency_keys.operation_id = EXCLUDED.operation_id
                     AND idempotency_keys.vm_id = EXCLUDED.vm_id)
            RETURNING operation_id
            """)
        .execute(
            Tuple.from(
                new Object[] {
                  record.tenantId(),
                  record.key(),
                  record.requestHash(),
                  record.completed(),
                  record.operationId(),
                  record.vmId(),
                  utc(record.createdAt()),
                  utc(record.expiresAt()),
                  utc(now),
                  record.targetVmId(),
                  takeoverBefore == null ? null : utc(takeoverBefore)
                }))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The live (unexpired) record of a key, or {@code null}. */
  public Uni<IdempotencyRecord> find(String tenantId, String key, Instant now) {
    return pool.preparedQuery(
            """
            SELECT tenant_id, idempotency_key, request_hash, completed, operation_id, vm_id,
                   created_at, expires_at, target_vm_id
            FROM idempotency_keys
            WHERE tenant_id = $1 AND idempotency_key = $2 AND expires_at > $3
            """)
        .execute(Tuple.of(tenantId, key, utc(now)))
        .map(IdempotencyKeyRepository::first);
  }

  /** Marks the key's command as published: repeats now replay its answer. */
  public Uni<Void> complete(String tenantId, String key, String operationId) {
    return pool.preparedQuery(
            """
            UPDATE idempotency_keys SET completed = TRUE
            WHERE tenant_id = $1 AND idempotency_key = $2 AND operation_id = $3
            """)
        .execute(Tuple.of(tenantId, key, operationId))
        .replaceWithVoid();
  }

  /** Forgets a key whose request failed, so the client may retry with it. */
  public Uni<Void> release(String tenantId, String key, String operationId) {
    return pool.preparedQuery(
            """
            DELETE FROM idempotency_keys
            WHERE tenant_id = $1 AND idempotency_key = $2 AND operation_id = $3
              AND NOT completed
            """)
        .execute(Tuple.of(tenantId, key, operationId))
        .replaceWithVoid();
  }

  /**
   * Deletes expired keys.
   *
   * @return how many were deleted
   */
  public Uni<Integer> deleteExpired(Instant now) {
    return pool.preparedQuery("DELETE FROM idempotency_keys WHERE expires_at <= $1")
        .execute(Tuple.of(utc(now)))
        .map(RowSet::rowCount);
  }

  private static IdempotencyRecord first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return null;
    }
    Row r = it.next();
    return new IdempotencyRecord(
        r.getString("tenant_id"),
        r.getString("idempotency_key"),
        r.getString("request_hash"),
        r.getBoolean("completed"),
        r.getString("operation_id"),
        r.getString("vm_id"),
        r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("expires_at").toInstant(),
        r.getString("target_vm_id"));
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
