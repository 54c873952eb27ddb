package dev.virtsaga.providers.kubevirt;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The KubeVirt kinds the adapter uses, at the versions current KubeVirt serves, and what a cluster
 * actually serves (from API discovery).
 */
final class KubeVirtApi {
  static final String KUBEVIRT = "kubevirt.io";
  static final String SNAPSHOT = "snapshot.kubevirt.io";
  static final String CLONE = "clone.kubevirt.io";
  static final String INSTANCETYPE = "instancetype.kubevirt.io";
  static final String SUBRESOURCES = "subresources.kubevirt.io";

  static final ResourceDefinitionContext VM = ctx(KUBEVIRT, "v1", "VirtualMachine", true);
  static final ResourceDefinitionContext VMI = ctx(KUBEVIRT, "v1", "VirtualMachineInstance", true);
  static final ResourceDefinitionContext MIGRATION =
      ctx(KUBEVIRT, "v1", "VirtualMachineInstanceMigration", true);
  static final ResourceDefinitionContext VM_SNAPSHOT =
      ctx(SNAPSHOT, "v1beta1", "VirtualMachineSnapshot", true);
  static final ResourceDefinitionContext VM_RESTORE =
      ctx(SNAPSHOT, "v1beta1", "VirtualMachineRestore", true);
  static final ResourceDefinitionContext VM_CLONE =
      ctx(CLONE, "v1beta1", "VirtualMachineClone", true);
  static final ResourceDefinitionContext INSTANCETYPES =
      ctx(INSTANCETYPE, "v1beta1", "VirtualMachineInstancetype", true);
  static final ResourceDefinitionContext CLUSTER_INSTANCETYPES =
      ctx(INSTANCETYPE, "v1beta1", "VirtualMachineClusterInstancetype", false);
  static final ResourceDefinitionContext PREFERENCES =
      ctx(INSTANCETYPE, "v1beta1", "VirtualMachinePreference", true);
  static final ResourceDefinitionContext CLUSTER_PREFERENCES =
      ctx(INSTANCETYPE, "v1beta1", "VirtualMachineClusterPreference", false);

  /** Group → the version the adapter speaks. */
  static final Map<String, String> SPOKEN =
      Map.of(
          KUBEVIRT, "v1",
          SNAPSHOT, "v1beta1",
          CLONE, "v1beta1",
          INSTANCETYPE, "v1beta1",
          SUBRESOURCES, "v1");

  private KubeVirtApi() {}

  private static ResourceDefinitionContext ctx(
      String group, String version, String kind, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(kind.toLowerCase() + "s")
        .withNamespaced(namespaced)
        .build();
  }

  static String apiVersion(ResourceDefinitionContext c) {
    return c.getGroup() + "/" + c.getVersion();
  }

  /**
   * What discovery showed: the groups whose version the adapter speaks are served.
   *
   * @param served group → versions served
   */
  record Served(Map<String, Set<String>> served) {
    static Served of(APIGroupList groups) {
      Map<String, Set<String>> served = new HashMap<>();
      if (groups != null && groups.getGroups() != null) {
        for (APIGroup g : groups.getGroups()) {
          Set<String> versions = new HashSet<>();
          if (g.getVersions() != null) {
            for (GroupVersionForDiscovery v : g.getVersions()) {
              versions.add(v.getVersion());
            }
          }
          served.put(g.getName(), versions);
        }
      }
      return new Served(served);
    }

    boolean serves(String group) {
      return served.getOrDefault(group, Set.of()).contains(SPOKEN.get(group));
    }
  }
}
