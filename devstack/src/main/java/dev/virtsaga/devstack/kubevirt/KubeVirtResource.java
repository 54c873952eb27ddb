package dev.virtsaga.devstack.kubevirt;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;

/**
 * The KubeVirt resources the {@link KubeVirtSimulator} serves, at the API versions current KubeVirt
 * (v1.4 and later) serves and stores them, with the names, scopes and short names of KubeVirt's own
 * CustomResourceDefinitions.
 *
 * <p>{@link #context()} gives the fabric8 {@link ResourceDefinitionContext} to use with {@code
 * client.genericKubernetesResources(context)} (there is no KubeVirt client on Maven Central; every
 * object is a {@code GenericKubernetesResource}).
 */
public enum KubeVirtResource {
  /** {@code kubevirt.io/v1} VirtualMachine, with a status subresource. */
  VIRTUAL_MACHINE(
      KubeVirtResource.KUBEVIRT,
      "v1",
      "VirtualMachine",
      "virtualmachines",
      true,
      true,
      List.of("vm", "vms")),
  /** {@code kubevirt.io/v1} VirtualMachineInstance (no status subresource, as in KubeVirt). */
  VIRTUAL_MACHINE_INSTANCE(
      KubeVirtResource.KUBEVIRT,
      "v1",
      "VirtualMachineInstance",
      "virtualmachineinstances",
      true,
      false,
      List.of("vmi", "vmis")),
  /** {@code kubevirt.io/v1} VirtualMachineInstanceMigration, with a status subresource. */
  VIRTUAL_MACHINE_INSTANCE_MIGRATION(
      KubeVirtResource.KUBEVIRT,
      "v1",
      "VirtualMachineInstanceMigration",
      "virtualmachineinstancemigrations",
      true,
      true,
      List.of("vmim", "vmims")),
  /** {@code snapshot.kubevirt.io/v1beta1} VirtualMachineSnapshot. */
  VIRTUAL_MACHINE_SNAPSHOT(
      KubeVirtResource.SNAPSHOT,
      "v1beta1",
      "VirtualMachineSnapshot",
      "virtualmachinesnapshots",
      true,
      true,
      List.of("vmsnapshot", "vmsnapshots")),
  /** {@code snapshot.kubevirt.io/v1beta1} VirtualMachineSnapshotContent. */
  VIRTUAL_MACHINE_SNAPSHOT_CONTENT(
      KubeVirtResource.SNAPSHOT,
      "v1beta1",
      "VirtualMachineSnapshotContent",
      "virtualmachinesnapshotcontents",
      true,
      true,
      List.of("vmsnapshotcontent", "vmsnapshotcontents")),
  /** {@code snapshot.kubevirt.io/v1beta1} VirtualMachineRestore. */
  VIRTUAL_MACHINE_RESTORE(
      KubeVirtResource.SNAPSHOT,
      "v1beta1",
      "VirtualMachineRestore",
      "virtualmachinerestores",
      true,
      true,
      List.of("vmrestore", "vmrestores")),
  /** {@code clone.kubevirt.io/v1beta1} VirtualMachineClone. */
  VIRTUAL_MACHINE_CLONE(
      KubeVirtResource.CLONE,
      "v1beta1",
      "VirtualMachineClone",
      "virtualmachineclones",
      true,
      true,
      List.of("vmclone", "vmclones")),
  /** {@code instancetype.kubevirt.io/v1beta1} VirtualMachineInstancetype (namespaced). */
  VIRTUAL_MACHINE_INSTANCETYPE(
      KubeVirtResource.INSTANCETYPE,
      "v1beta1",
      "VirtualMachineInstancetype",
      "virtualmachineinstancetypes",
      true,
      false,
      List.of("vminstancetype", "vminstancetypes", "vmf", "vmfs")),
  /** {@code instancetype.kubevirt.io/v1beta1} VirtualMachineClusterInstancetype (cluster-wide). */
  VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE(
      KubeVirtResource.INSTANCETYPE,
      "v1beta1",
      "VirtualMachineClusterInstancetype",
      "virtualmachineclusterinstancetypes",
      false,
      false,
      List.of("vmclusterinstancetype", "vmclusterinstancetypes", "vmcf", "vmcfs")),
  /** {@code instancetype.kubevirt.io/v1beta1} VirtualMachinePreference (namespaced). */
  VIRTUAL_MACHINE_PREFERENCE(
      KubeVirtResource.INSTANCETYPE,
      "v1beta1",
      "VirtualMachinePreference",
      "virtualmachinepreferences",
      true,
      false,
      List.of("vmpref", "vmprefs", "vmp", "vmps")),
  /** {@code instancetype.kubevirt.io/v1beta1} VirtualMachineClusterPreference (cluster-wide). */
  VIRTUAL_MACHINE_CLUSTER_PREFERENCE(
      KubeVirtResource.INSTANCETYPE,
      "v1beta1",
      "VirtualMachineClusterPreference",
      "virtualmachineclusterpreferences",
      false,
      false,
      List.of("vmcp", "vmcps"));

  /** API group of VirtualMachine, VirtualMachineInstance and VirtualMachineInstanceMigration. */
  public static final String KUBEVIRT = "kubevirt.io";

  /** API group of snapshots, snapshot contents and restores. */
  public static final String SNAPSHOT = "snapshot.kubevirt.io";

  /** API group of VirtualMachineClone. */
  public static final String CLONE = "clone.kubevirt.io";

  /** API group of instance types and preferences. */
  public static final String INSTANCETYPE = "instancetype.kubevirt.io";

  /** API group of virt-api's subresources (start, stop, restart, pause, unpause, vnc, ...). */
  public static final String SUBRESOURCES = "subresources.kubevirt.io";

  private final String group;
  private final String version;
  private final String kind;
  private final String plural;
  private final boolean namespaced;
  private final boolean statusSubresource;
  private final List<String> shortNames;

  KubeVirtResource(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      boolean statusSubresource,
      List<String> shortNames) {
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.plural = plural;
    this.namespaced = namespaced;
    this.statusSubresource = statusSubresource;
    this.shortNames = shortNames;
  }

  /** The API group, e.g. {@code kubevirt.io}. */
  public String group() {
    return group;
  }

  /** The served (and storage) version, e.g. {@code v1}. */
  public String version() {
    return version;
  }

  /** {@code group/version}, the value of the objects' {@code apiVersion}. */
  public String apiVersion() {
    return group + "/" + version;
  }

  /** The kind, e.g. {@code VirtualMachine}. */
  public String kind() {
    return kind;
  }

  /** The resource (plural) name in URLs, e.g. {@code virtualmachines}. */
  public String plural() {
    return plural;
  }

  /** The singular name, e.g. {@code virtualmachine}. */
  public String singular() {
    return plural.substring(0, plural.length() - 1);
  }

  /** Whether objects live in a namespace (false for the cluster-wide instance types). */
  public boolean namespaced() {
    return namespaced;
  }

  /** Whether {@code status} is a subresource (spec writes then keep the status, and vice versa). */
  public boolean statusSubresource() {
    return statusSubresource;
  }

  /** The short names of KubeVirt's CRD ({@code vm}, {@code vmi}, ...). */
  public List<String> shortNames() {
    return shortNames;
  }

  /** {@code plural.group}, the name of the CustomResourceDefinition. */
  public String crdName() {
    return plural + "." + group;
  }

  /** The fabric8 context for {@code client.genericKubernetesResources(context)}. */
  public ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }

  /** The resource served at {@code group/version/plural}, if any. */
  public static Optional<KubeVirtResource> find(String group, String version, String plural) {
    for (KubeVirtResource r : values()) {
      if (r.group.equals(group) && r.version.equals(version) && r.plural.equals(plural)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The resource of the given kind, if any. */
  public static Optional<KubeVirtResource> ofKind(String kind) {
    for (KubeVirtResource r : values()) {
      if (r.kind.equals(kind)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
