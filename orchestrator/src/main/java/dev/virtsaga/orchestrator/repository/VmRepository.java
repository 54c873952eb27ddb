package dev.virtsaga.orchestrator.repository;

import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.mapping.VmMapper;
import dev.virtsaga.orchestrator.saga.DriftEngine;
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

  /**
   * Ids of the provider's live VMs whose {@code ProviderReachable} condition must change to {@code
   * reachable}: those marked unreachable when it is reachable again, the others when it is not (a
   * VM without the condition counts as reachable).
   */
  public Uni<List<String>> reachabilityToChange(String provider, boolean reachable) {
    String sql =
        "select id from vm where provider = :provider and state <> 'DELETED' and "
            + (reachable ? "" : "not ")
            // the parameter is text: a jsonb-typed one would be bound as a JSON string
            + "(cast(conditions as jsonb) @> cast(cast(:unreachable as text) as jsonb)) order by id";
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(sql, String.class)
                    .setParameter("provider", provider)
                    .setParameter("unreachable", UNREACHABLE)
                    .getResultList());
  }

  private static final String UNREACHABLE =
      "[{\"type\":\"" + DriftEngine.PROVIDER_REACHABLE + "\",\"status\":false}]";

  /** Ids of VMs whose deadline or retry time has come. */
  public Uni<List<String>> due(Instant now, int limit) {
    return VmEntity.<VmEntity>find("nextTimer <= ?1 order by nextTimer", now)
        .page(0, limit)
        .list()
        .map(rows -> rows.stream().map(r -> r.id).toList());
  }
}
