package dev.virtsaga.gateway.repository;

import static dev.virtsaga.gateway.repository.IdempotencyKeyRepository.utc;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.gateway.AdoptionAuditEntry;
import dev.virtsaga.gateway.AdoptionCandidate;
import dev.virtsaga.gateway.AdoptionStatus;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** The {@code adoption_candidates} and {@code adoption_audit} tables. */
@ApplicationScoped
public class AdoptionRepository {
  private static final String COLUMNS =
      """
      vm_id, provider, power, ips, provider_ref, host, first_seen, last_seen, status,
      status_changed_at, tenant_id, operation_id
      """;

  /** An audit row to write with a change of status. */
  public record NewAudit(String actorTenant, String actorRequestId, Instant at, String details) {}

  /**
   * What a dismissal did.
   *
   * @param changed whether this call dismissed the candidate
   * @param candidate the candidate after the call; {@code null} when there is none
   */
  public record Dismissal(boolean changed, AdoptionCandidate candidate) {}

  private final Pool pool;

  public AdoptionRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Records an observation of a VM the read model does not know: a new candidate is PENDING; a
   * known one (whatever its status) gets the newer power, addresses and last-seen time. An
   * observation older than the newest applied changes nothing.
   */
  public Uni<Void> observed(VmObserved o, Instant at) {
    return pool.preparedQuery(
            """
            INSERT INTO adoption_candidates
              (vm_id, provider, power, ips, provider_ref, host, first_seen, last_seen, status,
               status_changed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'PENDING', $7)
            ON CONFLICT (vm_id) DO UPDATE SET
              provider = EXCLUDED.provider,
              power = EXCLUDED.power,
              ips = COALESCE(EXCLUDED.ips, adoption_candidates.ips),
              provider_ref = COALESCE(EXCLUDED.provider_ref, adoption_candidates.provider_ref),
              host = COALESCE(EXCLUDED.host, adoption_candidates.host),
              last_seen = EXCLUDED.last_seen
            WHERE adoption_candidates.last_seen <= EXCLUDED.last_seen
            """)
        .execute(
            Tuple.from(
                new Object[] {
                  o.vmId(),
                  o.provider(),
                  o.power().name(),
                  o.ips() == null ? null : o.ips().toArray(new String[0]),
                  o.providerRef(),
                  o.host(),
                  utc(at)
                }))
        .replaceWithVoid();
  }

  /**
   * Removes a PENDING candidate (gone from its hypervisor). Adopted and dismissed ones stay.
   *
   * @return whether one was removed
   */
  public Uni<Boolean> removePending(String vmId) {
    return pool.preparedQuery(
            "DELETE FROM adoption_candidates WHERE vm_id = $1 AND status = 'PENDING'")
        .execute(Tuple.of(vmId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** The PENDING candidates, oldest first, of one provider when given. */
  public Uni<List<AdoptionCandidate>> pending(Optional<String> provider) {
    return pool.preparedQuery(
            "SELECT "
                + COLUMNS
                + """
                FROM adoption_candidates
                WHERE status = 'PENDING' AND ($1::text IS NULL OR provider = $1)
                ORDER BY first_seen, vm_id
                """)
        .execute(Tuple.of(provider.orElse(null)))
        .map(AdoptionRepository::candidates);
  }

  /** The candidate, whatever its status, or {@code null}. */
  public Uni<AdoptionCandidate> find(String vmId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM adoption_candidates WHERE vm_id = $1")
        .execute(Tuple.of(vmId))
        .map(AdoptionRepository::first);
  }

  /**
   * Marks a PENDING candidate whose power is known (not UNKNOWN nor NOT_FOUND) ADOPTED for an
   * operation, and writes the audit row, in one transaction.
   *
   * @param audit the audit row, made from the candidate as claimed
   * @return the candidate as claimed; {@code null} when there is no such candidate, or it is not
   *     PENDING, or its power is not known
   */
  public Uni<AdoptionCandidate> claim(
      String vmId,
      String tenantId,
      String operationId,
      Instant at,
      Function<AdoptionCandidate, NewAudit> audit) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE adoption_candidates SET status = 'ADOPTED', status_changed_at = $2,"
                        + " tenant_id = $3, operation_id = $4"
                        + " WHERE vm_id = $1 AND status = 'PENDING'"
                        + " AND power NOT IN ('UNKNOWN', 'NOT_FOUND')"
                        + " RETURNING "
                        + COLUMNS)
                .execute(Tuple.of(vmId, utc(at), tenantId, operationId))
                .map(AdoptionRepository::first)
                .call(
                    claimed ->
                        claimed == null
                            ? Uni.createFrom().voidItem()
                            : insertAudit(conn, vmId, "ADOPTED", audit.apply(claimed))));
  }

  /**
   * Undoes a claim whose command could not be published: the candidate is PENDING again and the
   * claim's audit row is gone, in one transaction.
   */
  public Uni<Void> unclaim(String vmId, String operationId) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    """
                    UPDATE adoption_candidates
                    SET status = 'PENDING', tenant_id = NULL, operation_id = NULL
                    WHERE vm_id = $1 AND status = 'ADOPTED' AND operation_id = $2
                    """)
                .execute(Tuple.of(vmId, operationId))
                .chain(
                    () ->
                        conn.preparedQuery(
                                """
                                DELETE FROM adoption_audit
                                WHERE vm_id = $1 AND action = 'ADOPTED'
                                  AND details ->> 'operationId' = $2
                                """)
                            .execute(Tuple.of(vmId, operationId)))
                .replaceWithVoid());
  }

  /**
   * Makes the candidate adopted by this operation PENDING again: the orchestrator refused the ADOPT
   * (or it failed), so the VM is still unknown.
   *
   * @return the candidate's vmId, or {@code null} when no adopted candidate has this operation
   */
  public Uni<String> reopen(String operationId, Instant at) {
    return pool.preparedQuery(
            """
            UPDATE adoption_candidates
            SET status = 'PENDING', status_changed_at = $2, tenant_id = NULL, operation_id = NULL
            WHERE operation_id = $1 AND status = 'ADOPTED'
            RETURNING vm_id
            """)
        .execute(Tuple.of(operationId, utc(at)))
        .map(
            rows -> {
              var it = rows.iterator();
              return it.hasNext() ? it.next().getString("vm_id") : null;
            });
  }

  /**
   * Marks a PENDING candidate DISMISSED and writes the audit row, in one transaction.
   *
   * @param audit the audit row, made from the candidate as dismissed
   */
  public Uni<Dismissal> dismiss(
      String vmId, Instant at, Function<AdoptionCandidate, NewAudit> audit) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    "UPDATE adoption_candidates SET status = 'DISMISSED', status_changed_at = $2"
                        + " WHERE vm_id = $1 AND status = 'PENDING' RETURNING "
                        + COLUMNS)
                .execute(Tuple.of(vmId, utc(at)))
                .map(AdoptionRepository::first)
                .chain(
                    dismissed ->
                        dismissed != null
                            ? insertAudit(conn, vmId, "DISMISSED", audit.apply(dismissed))
                                .replaceWith(new Dismissal(true, dismissed))
                            : conn.preparedQuery(
                                    "SELECT "
                                        + COLUMNS
                                        + " FROM adoption_candidates WHERE vm_id = $1")
                                .execute(Tuple.of(vmId))
                                .map(rows -> new Dismissal(false, first(rows)))));
  }

  /** Audit rows, newest first, of one VM when given. */
  public Uni<List<AdoptionAuditEntry>> audit(Optional<String> vmId, int limit) {
    return pool.preparedQuery(
            """
            SELECT id, vm_id, action, actor_tenant, actor_request_id, at, details
            FROM adoption_audit
            WHERE ($1::text IS NULL OR vm_id = $1)
            ORDER BY at DESC, id DESC
            LIMIT $2
            """)
        .execute(Tuple.of(vmId.orElse(null), limit))
        .map(
            rows -> {
              List<AdoptionAuditEntry> entries = new ArrayList<>(rows.size());
              for (Row r : rows) {
                Object details = r.getValue("details");
                entries.add(
                    new AdoptionAuditEntry(
                        r.getLong("id"),
                        r.getString("vm_id"),
                        r.getString("action"),
                        r.getString("actor_tenant"),
                        r.getString("actor_request_id"),
                        r.getOffsetDateTime("at").toInstant(),
                        details instanceof JsonObject json
                            ? json.encode()
                            : String.valueOf(details)));
              }
              return entries;
            });
  }

  private static Uni<Void> insertAudit(
      SqlConnection conn, String vmId, String action, NewAudit audit) {
    return conn.preparedQuery(
            """
            INSERT INTO adoption_audit
              (vm_id, action, actor_tenant, actor_request_id, at, details)
            VALUES ($1, $2, $3, $4, $5, $6)
            """)
        .execute(
            Tuple.from(
                new Object[] {
                  vmId,
                  action,
                  audit.actorTenant(),
                  audit.actorRequestId(),
                  utc(audit.at()),
                  new JsonObject(audit.details())
                }))
        .replaceWithVoid();
  }

  private static List<AdoptionCandidate> candidates(RowSet<Row> rows) {
    List<AdoptionCandidate> list = new ArrayList<>(rows.size());
    rows.forEach(r -> list.add(candidate(r)));
    return list;
  }

  private static AdoptionCandidate first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? candidate(it.next()) : null;
  }

  private static AdoptionCandidate candidate(Row r) {
    String[] ips = r.getArrayOfStrings("ips");
    return new AdoptionCandidate(
        r.getString("vm_id"),
        r.getString("provider"),
        PowerState.valueOf(r.getString("power")),
        ips == null ? null : Collections.unmodifiableList(Arrays.asList(ips)),
        r.getString("provider_ref"),
        r.getString("host"),
        instant(r.getOffsetDateTime("first_seen")),
        instant(r.getOffsetDateTime("last_seen")),
        AdoptionStatus.valueOf(r.getString("status")),
        instant(r.getOffsetDateTime("status_changed_at")),
        r.getString("tenant_id"),
        r.getString("operation_id"));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
