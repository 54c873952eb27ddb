package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;
import java.util.Map;

/**
 * What a VM should be.
 *
 * @param name display name, also the hypervisor object's name where the provider allows it
 * @param provider which provider runs it ({@code libvirt}, …)
 * @param cpus virtual CPUs
 * @param memoryMiB memory in MiB
 * @param diskGiB size of the root disk in GiB (0 = no disk)
 * @param image image or template the root disk is made from, provider-specific
 * @param labels free-form labels
 * @param host the provider's host the VM runs on; absent: the provider's default host
 * @param source the disk image the root disk is imported from (instead of {@code image})
 * @param driftPolicy what happens when its power changes behind VirtSaga's back; absent: {@link
 *     DriftPolicy#ADOPT}
 */
public record VmSpec(
    String name,
    String provider,
    int cpus,
    long memoryMiB,
    long diskGiB,
    @Opt String image,
    @Opt Map<String, String> labels,
    @Opt String host,
    @Opt DiskSource source,
    @Opt DriftPolicy driftPolicy) {

  /** A VM with the default drift policy. */
  public VmSpec(
      String name,
      String provider,
      int cpus,
      long memoryMiB,
      long diskGiB,
      String image,
      Map<String, String> labels,
      String host,
      DiskSource source) {
    this(name, provider, cpus, memoryMiB, diskGiB, image, labels, host, source, null);
  }

  /** A VM on the provider's default host, its root disk made from {@code image}. */
  public VmSpec(
      String name,
      String provider,
      int cpus,
      long memoryMiB,
      long diskGiB,
      String image,
      Map<String, String> labels) {
    this(name, provider, cpus, memoryMiB, diskGiB, image, labels, null, null);
  }

  /** The same VM on another host. */
  public VmSpec onHost(String newHost) {
    return new VmSpec(
        name, provider, cpus, memoryMiB, diskGiB, image, labels, newHost, source, driftPolicy);
  }

  /** The same VM under another name. */
  public VmSpec named(String newName) {
    return new VmSpec(
        newName, provider, cpus, memoryMiB, diskGiB, image, labels, host, source, driftPolicy);
  }

  /** The same VM under another drift policy. */
  public VmSpec withDriftPolicy(DriftPolicy policy) {
    return new VmSpec(
        name, provider, cpus, memoryMiB, diskGiB, image, labels, host, source, policy);
  }

  /** The drift policy in force: the spec's, else {@link DriftPolicy#ADOPT}. */
  public DriftPolicy effectiveDriftPolicy() {
    return driftPolicy == null ? DriftPolicy.ADOPT : driftPolicy;
  }
}
