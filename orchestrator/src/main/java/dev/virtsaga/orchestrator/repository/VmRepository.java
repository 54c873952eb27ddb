package dev.virtsaga.orchestrator.repository;

import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.mapping.VmMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Instant;
import java.util.List;

/** Loads and stores VM aggregates; must run inside a transaction. */
@ApplicationScoped
public class VmRepository {

  /** The VM as a managed row, or null. */
  public Uni<VmEntity> find(String id) {
    return VmEntity.findById(id);
  }

  /**
   * Stores a new version of a VM. Optimistic locking: the row must still have the version the
   * decision was made on, else {@link OptimisticLockException} (and the caller retries).
   *
   * @param row the managed row the decision was made on, or null for a new VM
   */
  public Uni<Void> save(VmEntity row, Vm next) {
    if (row == null) {
      return VmMapper.fill(new VmEntity(), next).persist().replaceWithVoid();
    }
    long expected = row.version;
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "update vm set version = :next where id = :id and version = :expected")
                    .setParameter("next", next.version())
                    .setParameter("id", next.id())
                    .setParameter("expected", expected)
                    .executeUpdate())
        .invoke(
            n -> {
              if (n != 1) {
                throw new OptimisticLockException(
                    "VM " + next.id() + " changed since version " + expected);
              }
              VmMapper.fill(row, next);
            })
        .replaceWithVoid();
  }

  /** Ids of VMs whose deadline or retry time has come. */
  public Uni<List<String>> due(Instant now, int limit) {
    return VmEntity.<VmEntity>find("nextTimer <= ?1 order by nextTimer", now)
        .page(0, limit)
        .list()
        .map(rows -> rows.stream().map(r -> r.id).toList());
  }
}
