package dev.virtsaga.gateway.repository;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The gateway's view of every VM: the latest snapshot per VM from the compacted {@code vm.state.v1}
 * (read from the beginning by every instance), plus provisional entries for VMs this instance has
 * just asked to create. Never written to by anything but the state stream and accepted creates.
 *
 * <p>Snapshots are version-monotonic: one with a lower version than the entry held is ignored, so a
 * replay or re-ordering never moves a VM backwards. A provisional entry is replaced by any
 * snapshot.
 */
@ApplicationScoped
public class VmReadModel {
  /** Version of a provisional entry: lower than or equal to any snapshot's. */
  public static final long PROVISIONAL_VERSION = 0;

  private static final Comparator<VmSnapshot> ORDER =
      Comparator.comparing(VmSnapshot::createdAt).thenComparing(VmSnapshot::vmId);

  private record Entry(VmSnapshot snapshot, boolean provisional) {}

  /** One page of VMs and how many there are in all. */
  public record Page(List<VmSnapshot> items, int total) {}

  private final ConcurrentMap<String, Entry> vms = new ConcurrentHashMap<>();

  /**
   * Applies a snapshot from the state stream.
   *
   * @return whether the read model changed
   */
  public boolean apply(VmSnapshot snapshot) {
    Entry next = new Entry(snapshot, false);
    Entry result =
        vms.compute(
            snapshot.vmId(),
            (id, current) ->
                current == null
                        || current.provisional()
                        || snapshot.version() >= current.snapshot().version()
                    ? next
                    : current);
    return result == next;
  }

  /** Applies a tombstone: the VM is deleted. */
  public boolean remove(String vmId) {
    return vms.remove(vmId) != null;
  }

  /**
   * Records a VM whose create command was just accepted, so it can be read before the orchestrator
   * publishes its first snapshot. Does nothing when a snapshot arrived first.
   */
  public void putProvisional(String vmId, String tenantId, VmSpec spec, Instant at) {
    VmSnapshot provisional =
        new VmSnapshot(
            vmId,
            tenantId,
            spec,
            VmState.PENDING,
            PowerState.UNKNOWN,
            List.of(),
            PROVISIONAL_VERSION,
            at,
            at,
            null,
            null,
            null,
            null,
            null);
    vms.putIfAbsent(vmId, new Entry(provisional, true));
  }

  /** The VM if it exists and belongs to the tenant. */
  public Optional<VmSnapshot> find(String tenantId, String vmId) {
    Entry e = vms.get(vmId);
    return e == null || !e.snapshot().tenantId().equals(tenantId)
        ? Optional.empty()
        : Optional.of(e.snapshot());
  }

  /** The tenant owning a VM, when the VM is known. */
  public Optional<String> tenantOf(String vmId) {
    Entry e = vms.get(vmId);
    return e == null ? Optional.empty() : Optional.of(e.snapshot().tenantId());
  }

  /**
   * A page of a tenant's VMs, oldest first (ties broken by id, so the order is stable).
   *
   * @param state only VMs in this state, when given
   */
  public Page list(String tenantId, Optional<VmState> state, int offset, int limit) {
    List<VmSnapshot> matching =
        vms.values().stream()
            .map(Entry::snapshot)
            .filter(s -> s.tenantId().equals(tenantId))
            .filter(s -> state.isEmpty() || s.state() == state.get())
            .sorted(ORDER)
            .toList();
    int from = Math.min(offset, matching.size());
    int to = (int) Math.min((long) from + limit, matching.size());
    return new Page(matching.subList(from, to), matching.size());
  }

  public int size() {
    return vms.size();
  }
}
