package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.ProviderTimeouts;
import java.util.Objects;

/**
 * Where {@link VSphereProvider} puts its VMs and how it waits for them.
 *
 * @param vim how to reach the vCenter
 * @param datacenter the datacenter's name ({@code DC0})
 * @param cluster the cluster whose root resource pool receives the clones ({@code DC0_C0})
 * @param datastore the datastore of the clones ({@code LocalDS_0})
 * @param vmFolder the VM folder of the clones, relative to the datacenter ({@code vm}, {@code
 *     vm/virtsaga}); it must exist
 * @param defaultTemplate the template cloned when a request names no image: an inventory path
 *     ({@code /DC0/vm/template-small}) or a name in the datacenter's {@code vm} folder; empty for
 *     none (then a request without an image is INVALID_SPEC)
 * @param timeouts {@code instanceReady} bounds a clone, {@code actionComplete} any other task,
 *     {@code pollInterval} is the pause between two reads of a running task
 */
public record VSphereSettings(
    VimSettings vim,
    String datacenter,
    String cluster,
    String datastore,
    String vmFolder,
    String defaultTemplate,
    ProviderTimeouts timeouts) {

  public VSphereSettings {
    Objects.requireNonNull(vim, "vim");
    requireName(datacenter, "datacenter");
    requireName(cluster, "cluster");
    requireName(datastore, "datastore");
    requireName(vmFolder, "vmFolder");
    defaultTemplate = defaultTemplate == null ? "" : defaultTemplate.trim();
    Objects.requireNonNull(timeouts, "timeouts");
  }

  /** vcsim's default names: {@code DC0}, {@code DC0_C0}, {@code LocalDS_0}, folder {@code vm}. */
  public static VSphereSettings of(VimSettings vim, String defaultTemplate) {
    return new VSphereSettings(
        vim, "DC0", "DC0_C0", "LocalDS_0", "vm", defaultTemplate, ProviderTimeouts.defaults());
  }

  public VSphereSettings withPlacement(
      String newDatacenter, String newCluster, String newDatastore, String newVmFolder) {
    return new VSphereSettings(
        vim, newDatacenter, newCluster, newDatastore, newVmFolder, defaultTemplate, timeouts);
  }

  public VSphereSettings withTimeouts(ProviderTimeouts newTimeouts) {
    return new VSphereSettings(
        vim, datacenter, cluster, datastore, vmFolder, defaultTemplate, newTimeouts);
  }

  /** {@code /<datacenter>/<vmFolder>}. */
  String vmFolderPath() {
    return "/" + datacenter + "/" + stripSlashes(vmFolder);
  }

  /** {@code /<datacenter>/host/<cluster>}. */
  String clusterPath() {
    return "/" + datacenter + "/host/" + cluster;
  }

  /** {@code /<datacenter>/datastore/<datastore>}. */
  String datastorePath() {
    return "/" + datacenter + "/datastore/" + datastore;
  }

  /** A template reference (inventory path, or name in the datacenter's {@code vm} folder). */
  String templatePath(String image) {
    return image.startsWith("/") ? image : "/" + datacenter + "/vm/" + image;
  }

  private static String stripSlashes(String s) {
    String out = s;
    while (out.startsWith("/")) {
      out = out.substring(1);
    }
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }

  private static void requireName(String value, String what) {
    Objects.requireNonNull(value, what);
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be blank");
    }
  }
}
