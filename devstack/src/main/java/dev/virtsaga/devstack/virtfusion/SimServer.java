package dev.virtsaga.devstack.virtfusion;

import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one simulated server, for tests that compare the simulator's view with a client's.
 *
 * @param state {@code created} (allocated, no OS yet), {@code building}, {@code running} or {@code
 *     stopped}
 * @param commissionStatus 0 not built, 1 building, 3 built
 * @param deleteAt when a delayed delete ({@code DELETE /servers/{id}?delay=n}) takes effect, else
 *     {@code null}
 * @param osTemplateId the template of the last successful build, else {@code null}
 */
public record SimServer(
    long id,
    String uuid,
    String name,
    String hostname,
    long ownerId,
    int groupId,
    int hypervisorId,
    int packageId,
    String state,
    int commissionStatus,
    boolean suspended,
    boolean buildFailed,
    Instant deleteAt,
    int cpuCores,
    int memoryMb,
    int storageGb,
    int trafficGb,
    int networkProfileId,
    List<String> ipv4,
    List<String> ipv6,
    Integer osTemplateId,
    List<Long> firewallRulesets) {

  public SimServer {
    ipv4 = List.copyOf(ipv4);
    ipv6 = List.copyOf(ipv6);
    firewallRulesets = List.copyOf(firewallRulesets);
  }

  /** Whether a delayed delete is pending. */
  public boolean deleting() {
    return deleteAt != null;
  }
}
