package dev.virtsaga.devstack.virtfusion;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the simulated control server has to offer: hypervisor groups (each with its hypervisors and
 * network profiles), server packages and operating system templates. Immutable; given to {@link
 * VirtFusionSimulator} at construction. {@link #defaults()} is the inventory described in
 * devstack/README.md.
 *
 * <p>Ids of groups, hypervisors, network profiles, packages and templates are chosen by the
 * inventory; the defaults keep the id ranges apart (groups 1.., hypervisors 11.., profiles 1..,
 * packages 1.., templates 101..) so that a client passing a hypervisor id where a group id belongs
 * gets a 422 instead of a lucky match.
 */
public record Inventory(
    List<HypervisorGroup> groups, List<ServerPackage> packages, List<OsTemplateGroup> templates) {

  public Inventory {
    groups = List.copyOf(groups);
    packages = List.copyOf(packages);
    templates = List.copyOf(templates);
    Set<Integer> hypervisorIds = new HashSet<>();
    Set<Integer> profileIds = new HashSet<>();
    Set<Integer> groupIds = new HashSet<>();
    for (HypervisorGroup g : groups) {
      require(groupIds.add(g.id()), "duplicate hypervisor group id " + g.id());
      for (Hypervisor h : g.hypervisors()) {
        require(hypervisorIds.add(h.id()), "duplicate hypervisor id " + h.id());
      }
      for (NetworkProfile p : g.networkProfiles()) {
        require(profileIds.add(p.id()), "duplicate network profile id " + p.id());
      }
    }
    Set<Integer> templateIds = new HashSet<>();
    for (OsTemplateGroup tg : templates) {
      for (OsTemplate t : tg.templates()) {
        require(templateIds.add(t.id()), "duplicate template id " + t.id());
      }
    }
    Set<Integer> packageIds = new HashSet<>();
    for (ServerPackage p : packages) {
      require(packageIds.add(p.id()), "duplicate package id " + p.id());
      require(
          templateIds.containsAll(p.templateIds()),
          "package " + p.id() + " names unknown templates");
    }
  }

  /**
   * A group of hypervisors: the placement unit of {@code POST /servers} ({@code hypervisorId} is a
   * group id). Its network profiles are offered on every hypervisor of the group ({@code
   * networks[]} of the hypervisor, with the {@code primary} and {@code default} markers).
   */
  public record HypervisorGroup(
      int id, String name, List<NetworkProfile> networkProfiles, List<Hypervisor> hypervisors) {
    public HypervisorGroup {
      Objects.requireNonNull(name);
      networkProfiles = List.copyOf(networkProfiles);
      hypervisors = List.copyOf(hypervisors);
    }
  }

  /** One hypervisor and its capacity: servers, CPU cores, memory (MB) and local storage (GB). */
  public record Hypervisor(
      int id,
      String name,
      String ip,
      int maxServers,
      int maxCpuCores,
      int maxMemoryMb,
      int storageGb) {}

  /**
   * A network profile servers can be attached to ({@code networkProfile} of {@code POST /servers}).
   * IPv4 addresses are handed out from {@code <ipv4Prefix>.10} to {@code .254} (a /24, gateway
   * {@code .1}).
   */
  public record NetworkProfile(
      int id, String name, boolean primary, boolean isDefault, String ipv4Prefix) {
    public NetworkProfile {
      require(
          ipv4Prefix.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}"),
          "ipv4Prefix must be the first three octets of a /24, e.g. 203.0.113");
    }
  }

  /**
   * A server package: the default resources of a server (memory MB, CPU cores, primary storage GB,
   * traffic GB with 0 = unlimited) and the OS templates it may be built with.
   */
  public record ServerPackage(
      int id,
      String name,
      int memoryMb,
      int cpuCores,
      int storageGb,
      int trafficGb,
      List<Integer> templateIds) {
    public ServerPackage {
      templateIds = List.copyOf(templateIds);
    }
  }

  /** A family of OS templates as {@code /media/templates/fromServerPackageSpec} groups them. */
  public record OsTemplateGroup(int id, String name, List<OsTemplate> templates) {
    public OsTemplateGroup {
      templates = List.copyOf(templates);
    }
  }

  /** One installable OS template ({@code operatingSystemId} of a build). */
  public record OsTemplate(int id, String name, String version, String variant) {}

  /**
   * The default inventory:
   *
   * <ul>
   *   <li>group 1 "Prague": hypervisors 11 and 12; profiles 1 "Public" (primary, 203.0.113.0/24)
   *       and 2 "Private" (default, 10.10.2.0/24);
   *   <li>group 2 "Frankfurt": hypervisor 21; profile 3 "Public FRA" (default only,
   *       198.51.100.0/24);
   *   <li>group 3 "Lab": hypervisor 31; no network profile at all;
   *   <li>packages 1 "Small" (1 GB, 1 core, 25 GB, 1000 GB traffic), 2 "Medium" (2 GB, 2 cores, 50
   *       GB, 2000 GB), 3 "Large" (4 GB, 4 cores, 100 GB, unlimited traffic);
   *   <li>templates 101 Ubuntu 22.04, 102 Ubuntu 24.04, 103 Debian 12, 104 Rocky Linux 9 (package 1
   *       offers 101-103, packages 2 and 3 all four).
   * </ul>
   */
  public static Inventory defaults() {
    return new Inventory(
        List.of(
            new HypervisorGroup(
                1,
                "Prague",
                List.of(
                    new NetworkProfile(1, "Public", true, false, "203.0.113"),
                    new NetworkProfile(2, "Private", false, true, "10.10.2")),
                List.of(
                    new Hypervisor(11, "prg-hv1", "192.168.10.11", 100, 128, 262144, 4000),
                    new Hypervisor(12, "prg-hv2", "192.168.10.12", 100, 128, 262144, 4000))),
            new HypervisorGroup(
                2,
                "Frankfurt",
                List.of(new NetworkProfile(3, "Public FRA", false, true, "198.51.100")),
                List.of(new Hypervisor(21, "fra-hv1", "192.168.20.21", 50, 64, 131072, 2000))),
            new HypervisorGroup(
                3,
                "Lab",
                List.of(),
                List.of(new Hypervisor(31, "lab-hv1", "192.168.30.31", 10, 16, 32768, 500)))),
        List.of(
            new ServerPackage(1, "Small", 1024, 1, 25, 1000, List.of(101, 102, 103)),
            new ServerPackage(2, "Medium", 2048, 2, 50, 2000, List.of(101, 102, 103, 104)),
            new ServerPackage(3, "Large", 4096, 4, 100, 0, List.of(101, 102, 103, 104))),
        List.of(
            new OsTemplateGroup(
                1,
                "Ubuntu",
                List.of(
                    new OsTemplate(101, "Ubuntu", "22.04", "Server"),
                    new OsTemplate(102, "Ubuntu", "24.04", "Server"))),
            new OsTemplateGroup(
                2, "Debian", List.of(new OsTemplate(103, "Debian", "12", "Bookworm"))),
            new OsTemplateGroup(
                3, "Rocky Linux", List.of(new OsTemplate(104, "Rocky Linux", "9", "Minimal")))));
  }

  public Optional<HypervisorGroup> group(int id) {
    return groups.stream().filter(g -> g.id() == id).findFirst();
  }

  public Optional<Hypervisor> hypervisor(int id) {
    return allHypervisors().stream().filter(h -> h.id() == id).findFirst();
  }

  /** The group a hypervisor belongs to. */
  public HypervisorGroup groupOf(Hypervisor hypervisor) {
    return groups.stream()
        .filter(g -> g.hypervisors().contains(hypervisor))
        .findFirst()
        .orElseThrow();
  }

  public List<Hypervisor> allHypervisors() {
    List<Hypervisor> all = new ArrayList<>();
    groups.forEach(g -> all.addAll(g.hypervisors()));
    return all;
  }

  public Optional<NetworkProfile> networkProfile(int id) {
    return groups.stream()
        .flatMap(g -> g.networkProfiles().stream())
        .filter(p -> p.id() == id)
        .findFirst();
  }

  public Optional<ServerPackage> serverPackage(int id) {
    return packages.stream().filter(p -> p.id() == id).findFirst();
  }

  public Optional<OsTemplate> template(int id) {
    return templates.stream()
        .flatMap(g -> g.templates().stream())
        .filter(t -> t.id() == id)
        .findFirst();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
