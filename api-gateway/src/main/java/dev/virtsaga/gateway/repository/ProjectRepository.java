package dev.virtsaga.gateway.repository;

import static dev.virtsaga.gateway.repository.IdempotencyKeyRepository.utc;

import dev.virtsaga.gateway.Project;
import dev.virtsaga.gateway.ProjectVm;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** The {@code projects} and {@code project_vms} tables. */
@ApplicationScoped
public class ProjectRepository {
  private final Pool pool;

  /** One page of a tenant's projects, with how many VMs each has, and how many there are. */
  public record Page(List<Summary> items, int total) {}

  /** A project in a listing. */
  public record Summary(Project project, int vms) {}

  public ProjectRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Stores a new project and its VMs (with the ids they will have), all or nothing. Does nothing
   * when the tenant has a project of that name already: a concurrent insert of the same name waits
   * for the first to commit, then finds it.
   *
   * @return whether this call stored the project
   */
  public Uni<Boolean> insert(Project project, List<ProjectVm> vms) {
    return pool.withTransaction(
        conn ->
            conn.preparedQuery(
                    """
                    INSERT INTO projects (tenant_id, name, request, fingerprint, created_at)
                    VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT (tenant_id, name) DO NOTHING
                    """)
                .execute(
                    Tuple.of(
                        project.tenantId(),
                        project.name(),
                        new JsonObject(project.request()),
                        project.fingerprint(),
                        utc(project.createdAt())))
                .chain(
                    inserted -> {
                      if (inserted.rowCount() == 0) {
                        return Uni.createFrom().item(false);
                      }
                      List<Tuple> rows = new ArrayList<>(vms.size());
                      for (ProjectVm vm : vms) {
                        rows.add(
                            Tuple.from(
                                new Object[] {
                                  vm.tenantId(),
                                  vm.project(),
                                  vm.vmName(),
                                  vm.instance(),
                                  vm.vmId(),
                                  vm.operationId(),
                                  vm.position(),
                                  vm.submitted()
                                }));
                      }
                      return conn.preparedQuery(
                              """
                              INSERT INTO project_vms
                                (tenant_id, project, vm_name, instance, vm_id, operation_id,
                                 position, submitted)
                              VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                              """)
                          .executeBatch(rows)
                          .replaceWith(true);
                    }));
  }

  /** The tenant's project, or {@code null}. */
  public Uni<Project> find(String tenantId, String name) {
    return pool.preparedQuery(
            """
            SELECT tenant_id, name, request, fingerprint, created_at
            FROM projects WHERE tenant_id = $1 AND name = $2
            """)
        .execute(Tuple.of(tenantId, name))
        .map(
            rows -> {
              var it = rows.iterator();
              return it.hasNext() ? project(it.next()) : null;
            });
  }

  /** The project's VMs, in request order. */
  public Uni<List<ProjectVm>> vms(String tenantId, String project) {
    return pool.preparedQuery(
            """
            SELECT tenant_id, project, vm_name, instance, vm_id, operation_id, position, submitted
            FROM project_vms WHERE tenant_id = $1 AND project = $2
            ORDER BY position
            """)
        .execute(Tuple.of(tenantId, project))
        .map(
            rows -> {
              List<ProjectVm> vms = new ArrayList<>(rows.size());
              rows.forEach(r -> vms.add(vm(r)));
              return vms;
            });
  }

  /** Notes that Kafka acknowledged the VM's create. */
  public Uni<Void> markSubmitted(String tenantId, String project, String vmName) {
    return pool.preparedQuery(
            """
            UPDATE project_vms SET submitted = TRUE
            WHERE tenant_id = $1 AND project = $2 AND vm_name = $3
            """)
        .execute(Tuple.of(tenantId, project, vmName))
        .replaceWithVoid();
  }

  /** A page of the tenant's projects, oldest first (ties by name). */
  public Uni<Page> list(String tenantId, int offset, int limit) {
    return pool.preparedQuery(
            """
            SELECT p.tenant_id, p.name, p.request, p.fingerprint, p.created_at,
                   (SELECT count(*) FROM project_vms v
                    WHERE v.tenant_id = p.tenant_id AND v.project = p.name) AS vms,
                   count(*) OVER () AS total
            FROM projects p WHERE p.tenant_id = $1
            ORDER BY p.created_at, p.name
            OFFSET $2 LIMIT $3
            """)
        .execute(Tuple.of(tenantId, offset, limit))
        .chain(
            rows -> {
              List<Summary> items = new ArrayList<>(rows.size());
              long total = -1;
              for (Row r : rows) {
                items.add(new Summary(project(r), r.getLong("vms").intValue()));
                total = r.getLong("total");
              }
              return total >= 0
                  ? Uni.createFrom().item(new Page(items, (int) total))
                  : count(tenantId).map(n -> new Page(items, n));
            });
  }

  private Uni<Integer> count(String tenantId) {
    return pool.preparedQuery("SELECT count(*) AS n FROM projects WHERE tenant_id = $1")
        .execute(Tuple.of(tenantId))
        .map((RowSet<Row> rows) -> rows.iterator().next().getLong("n").intValue());
  }

  private static Project project(Row r) {
    return new Project(
        r.getString("tenant_id"),
        r.getString("name"),
        r.getJsonObject("request").encode(),
        r.getString("fingerprint"),
        r.getOffsetDateTime("created_at").toInstant());
  }

  private static ProjectVm vm(Row r) {
    return new ProjectVm(
        r.getString("tenant_id"),
        r.getString("project"),
        r.getString("vm_name"),
        r.getString("instance"),
        r.getString("vm_id"),
        r.getString("operation_id"),
        r.getInteger("position"),
        r.getBoolean("submitted"));
  }
}
