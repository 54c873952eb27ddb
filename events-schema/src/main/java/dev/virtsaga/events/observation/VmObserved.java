package dev.virtsaga.events.observation;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.PowerState;
import java.time.Instant;
import java.util.List;

/**
 * A managed VM as its provider shows it, after a change the watch saw or a relist found.
 *
 * @param kind ADDED (new to the watcher), MODIFIED, or DELETED (gone from the provider; power is
 *     {@code NOT_FOUND})
 * @param resourceVersion the provider's version of the watch after this change
 * @param ips addresses the provider reports
 * @param providerRef the hypervisor's id of the VM
 * @param host where it runs, when the provider says
 * @param relist true when a relist found this (rather than the watch stream)
 */
public record VmObserved(
    String vmId,
    String provider,
    Kind kind,
    PowerState power,
    Instant at,
    @Opt String resourceVersion,
    @Opt List<String> ips,
    @Opt String providerRef,
    @Opt String host,
    @Opt Boolean relist)
    implements Observation {

  /** What happened to the VM. */
  public enum Kind {
    ADDED,
    MODIFIED,
    DELETED
  }

  /** Whether a relist (not the watch stream) found this. */
  public boolean fromRelist() {
    return Boolean.TRUE.equals(relist);
  }
}
