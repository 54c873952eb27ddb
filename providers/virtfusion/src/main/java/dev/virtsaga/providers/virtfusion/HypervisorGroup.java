package dev.virtsaga.providers.virtfusion;

import java.util.List;

/**
 * A VirtFusion hypervisor group: where {@code POST /servers} places a server ({@code hypervisorId}
 * is a group id), with the network profiles its hypervisors offer.
 */
public record HypervisorGroup(long id, String name, List<NetworkProfile> networks) {
  public HypervisorGroup {
    networks = List.copyOf(networks);
  }

  /**
   * A network profile of a group.
   *
   * @param primary the group's primary network
   * @param isDefault the group's default network
   */
  public record NetworkProfile(long id, String name, boolean primary, boolean isDefault) {
    @Override
    public String toString() {
      return id + " " + name + (primary ? " (primary)" : "") + (isDefault ? " (default)" : "");
    }
  }

  @Override
  public String toString() {
    return name + " (" + id + ")";
  }
}
