package dev.virtsaga.gateway.repository;

import static dev.virtsaga.gateway.repository.IdempotencyKeyRepository.utc;

import dev.virtsaga.events.Json;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.OperationUpdate;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/** The {@code operations} table: operations this gateway published, as lifecycle events report. */
@ApplicationScoped
public class OperationRepository {
  private static final Logger LOG = Logger.getLogger(OperationRepository.class);

  private final Pool pool;

  public OperationRepository(Pool pool) {
    this.pool = pool;
  }

  public Uni<Void> insert(Operation op) {
    return pool.preparedQuery(
            """
            INSERT INTO operations
              (operation_id, tenant_id, vm_id, type, status, status_rank, step, error_type,
               error_message, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """)
        .execute(row(op))
        .replaceWithVoid();
  }

  /**
   * Inserts an operation unless one with its id exists: a command published again with the ids it
   * had (a project's create after a crash) keeps the operation as lifecycle events left it.
   *
   * @return whether this call inserted it
   */
  public Uni<Boolean> insertIfAbsent(Operation op) {
    return pool.preparedQuery(
            """
            INSERT INTO operations
              (operation_id, tenant_id, vm_id, type, status, status_rank, step, error_type,
               error_message, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (operation_id) DO NOTHING
            """)
        .execute(row(op))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Tuple row(Operation op) {
    return Tuple.from(
        new Object[] {
          op.operationId(),
          op.tenantId(),
          op.vmId(),
          op.type().name(),
          op.status().name(),
          (short) op.status().rank(),
          op.step(),
          op.errorType(),
          op.errorMessage(),
          utc(op.createdAt()),
          utc(op.updatedAt())
        });
  }

  /** Removes an operation whose command could not be published. */
  public Uni<Void> delete(String operationId) {
    return pool.preparedQuery("DELETE FROM operations WHERE operation_id = $1")
        .execute(Tuple.of(operationId))
        .replaceWithVoid();
  }

  /** The tenant's operation, or {@code null}. */
  public Uni<Operation> find(String tenantId, String operationId) {
    return pool.preparedQuery(
            """
            SELECT operation_id, tenant_id, vm_id, type, status, step, error_type, error_message,
                   created_at, updated_at, result
            FROM operations WHERE operation_id = $1 AND tenant_id = $2
            """)
        .execute(Tuple.of(operationId, tenantId))
        .map(OperationRepository::first);
  }

  /** The tenant's operations among {@code operationIds} (those that exist), by id. */
  public Uni<Map<String, Operation>> findAll(String tenantId, Collection<String> operationIds) {
    if (operationIds.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    return pool.preparedQuery(
            """
            SELECT operation_id, tenant_id, vm_id, type, status, step, error_type, error_message,
                   created_at, updated_at, result
            FROM operations WHERE tenant_id = $1 AND operation_id = ANY($2)
            """)
        .execute(Tuple.of(tenantId, operationIds.toArray(new String[0])))
        .map(
            rows -> {
              Map<String, Operation> found = new HashMap<>();
              rows.forEach(r -> found.put(r.getString("operation_id"), operation(r)));
              return found;
            });
  }

  /**
   * Applies what a lifecycle event says. Idempotent and order-safe: a status replaces only one of a
   * lower rank; at equal non-terminal rank (steps of a running operation) only a newer event
   * applies; a terminal status is never replaced. A succeeded operation's result is stored with its
   * status.
   *
   * @return whether the operation changed
   */
  public Uni<Boolean> apply(OperationUpdate update) {
    int rank = update.status().rank();
    return pool.preparedQuery(
            """
            UPDATE operations
            SET status = $2, status_rank = $3,
                step = COALESCE($4, step),
                error_type = COALESCE($5, error_type),
                error_message = COALESCE($6, error_message),
                result = COALESCE($9, result),
                last_event_at = $7,
                updated_at = GREATEST(updated_at, $7)
            WHERE operation_id = $1
              AND (status_rank < $3
                   OR (status_rank = $3 AND $3 < $8
                       AND (last_event_at IS NULL OR last_event_at <= $7)))
            """)
        .execute(
            Tuple.from(
                new Object[] {
                  update.operationId(),
                  update.status().name(),
                  (short) rank,
                  update.step(),
                  update.errorType(),
                  update.errorMessage(),
                  utc(update.at()),
                  (short) OperationStatus.SUCCEEDED.rank(),
                  update.result() == null ? null : new JsonObject(Json.write(update.result()))
                }))
        .map(rows -> rows.rowCount() > 0);
  }

  /**
   * Deletes operations that finished before {@code before}.
   *
   * @return how many were deleted
   */
  public Uni<Integer> deleteFinishedBefore(Instant before) {
    return pool.preparedQuery("DELETE FROM operations WHERE status_rank = $1 AND updated_at < $2")
        .execute(Tuple.of((short) OperationStatus.SUCCEEDED.rank(), utc(before)))
        .map(RowSet::rowCount);
  }

  private static Operation first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      return null;
    }
    return operation(it.next());
  }

  private static Operation operation(Row r) {
    return new Operation(
        r.getString("operation_id"),
        r.getString("tenant_id"),
        r.getString("vm_id"),
        CommandType.valueOf(r.getString("type")),
        OperationStatus.valueOf(r.getString("status")),
        r.getString("step"),
        r.getString("error_type"),
        r.getString("error_message"),
        r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("updated_at").toInstant(),
        result(r));
  }

  private static OperationResult result(Row r) {
    JsonObject json = r.getJsonObject("result");
    if (json == null) {
      return null;
    }
    try {
      return Json.read(json.encode(), OperationResult.class);
    } catch (MalformedEventException e) {
      // stored from an event that was read as an OperationResult; show the operation without it
      LOG.warnf(
          "unreadable result of operationId=%s: %s", r.getString("operation_id"), e.getMessage());
      return null;
    }
  }
}
