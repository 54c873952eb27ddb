package dev.virtsaga.devstack.vcsim;

import java.util.List;

/**
 * What the simulated vCenter holds, as counts for govmomi's {@code simulator.VPX()} model plus one
 * template VM. Names follow vcsim's scheme: datacenters {@code DC0, DC1, …}; per datacenter
 * clusters {@code DC0_C0, …} with hosts {@code DC0_C0_H0, …}, standalone hosts {@code DC0_H0, …},
 * datastores {@code LocalDS_0, …} (mounted on every host), the port group {@code DC0_DVPG0}; VMs
 * {@code DC0_C0_RP0_VM0, …} per cluster and {@code DC0_H0_VM0, …} per standalone host. The template
 * lives in {@code /DC0/vm/<template>}, powered off, on the first cluster and datastore.
 *
 * @param datacenters datacenters (at least 1)
 * @param clusters clusters per datacenter
 * @param hostsPerCluster hosts in each cluster
 * @param standaloneHosts standalone hosts per datacenter
 * @param datastores local datastores per datacenter (at least 1)
 * @param vms VMs per cluster and per standalone host
 * @param powerOnVms whether those VMs are powered on
 * @param template name of the template VM; {@code null} or empty for none
 * @param templateCpus vCPUs of the template
 * @param templateMemoryMb memory of the template in MB
 */
public record VcsimInventory(
    int datacenters,
    int clusters,
    int hostsPerCluster,
    int standaloneHosts,
    int datastores,
    int vms,
    boolean powerOnVms,
    String template,
    int templateCpus,
    int templateMemoryMb) {

  /** The default template's name. */
  public static final String DEFAULT_TEMPLATE = "template-small";

  public VcsimInventory {
    if (datacenters < 1 || datastores < 1) {
      throw new IllegalArgumentException("vcsim needs at least one datacenter and one datastore");
    }
    if (clusters < 0 || hostsPerCluster < 0 || standaloneHosts < 0 || vms < 0) {
      throw new IllegalArgumentException("negative count in " + this);
    }
    if (clusters * hostsPerCluster + standaloneHosts < 1) {
      throw new IllegalArgumentException("vcsim needs at least one host");
    }
    if (templateCpus < 1 || templateMemoryMb < 1) {
      throw new IllegalArgumentException("template needs CPUs and memory");
    }
    template = template == null ? "" : template;
  }

  /**
   * One datacenter {@code DC0} with one cluster {@code DC0_C0} of three hosts, one standalone host
   * {@code DC0_H0}, one datastore {@code LocalDS_0}, two powered-on VMs on the cluster and two on
   * the standalone host, and the template {@code /DC0/vm/template-small} (1 vCPU, 1024 MB).
   */
  public static VcsimInventory defaults() {
    return new VcsimInventory(1, 1, 3, 1, 1, 2, true, DEFAULT_TEMPLATE, 1, 1024);
  }

  public VcsimInventory withDatacenters(int n) {
    return new VcsimInventory(
        n,
        clusters,
        hostsPerCluster,
        standaloneHosts,
        datastores,
        vms,
        powerOnVms,
        template,
        templateCpus,
        templateMemoryMb);
  }

  public VcsimInventory withClusters(int n, int hostsEach) {
    return new VcsimInventory(
        datacenters,
        n,
        hostsEach,
        standaloneHosts,
        datastores,
        vms,
        powerOnVms,
        template,
        templateCpus,
        templateMemoryMb);
  }

  public VcsimInventory withStandaloneHosts(int n) {
    return new VcsimInventory(
        datacenters,
        clusters,
        hostsPerCluster,
        n,
        datastores,
        vms,
        powerOnVms,
        template,
        templateCpus,
        templateMemoryMb);
  }

  public VcsimInventory withDatastores(int n) {
    return new VcsimInventory(
        datacenters,
        clusters,
        hostsPerCluster,
        standaloneHosts,
        n,
        vms,
        powerOnVms,
        template,
        templateCpus,
        templateMemoryMb);
  }

  /** {@code n} VMs per cluster and per standalone host, powered on or not. */
  public VcsimInventory withVms(int n, boolean powerOn) {
    return new VcsimInventory(
        datacenters,
        clusters,
        hostsPerCluster,
        standaloneHosts,
        datastores,
        n,
        powerOn,
        template,
        templateCpus,
        templateMemoryMb);
  }

  /** A template of that name and size; a {@code null} or empty name for none. */
  public VcsimInventory withTemplate(String name, int cpus, int memoryMb) {
    return new VcsimInventory(
        datacenters,
        clusters,
        hostsPerCluster,
        standaloneHosts,
        datastores,
        vms,
        powerOnVms,
        name,
        cpus,
        memoryMb);
  }

  /** Inventory path of the template, e.g. {@code /DC0/vm/template-small}; empty if none. */
  public String templatePath() {
    return template.isEmpty() ? "" : "/DC0/vm/" + template;
  }

  /** The flags of the Go program ({@code src/main/go/vcsim/main.go}) for this inventory. */
  public List<String> flags() {
    return List.of(
        "-dc=" + datacenters,
        "-cluster=" + clusters,
        "-host=" + hostsPerCluster,
        "-standalone-host=" + standaloneHosts,
        "-ds=" + datastores,
        "-vm=" + vms,
        "-autostart=" + powerOnVms,
        "-template=" + template,
        "-template-cpu=" + templateCpus,
        "-template-memory=" + templateMemoryMb);
  }
}
