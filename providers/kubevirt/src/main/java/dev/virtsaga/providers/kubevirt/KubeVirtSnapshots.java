package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.annotation;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.done;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.sha256;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.type;
import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.VM_ID_LABEL;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.Snapshots;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/** {@link Snapshots} on VirtualMachineSnapshot and VirtualMachineRestore. */
final class KubeVirtSnapshots {
  private static final Logger LOG = Logger.getLogger(KubeVirtSnapshots.class);

  private final KubeVirtCluster cluster;
  private final Power power;

  KubeVirtSnapshots(KubeVirtCluster cluster, Power power) {
    this.cluster = cluster;
    this.power = power;
  }

  /** How the provider applies a power operation to a VM it has read. */
  interface Power {
    Uni<Void> apply(GenericKubernetesResource vm, PowerOp op);
  }

  /**
   * A VirtualMachineSnapshot (online when the VM runs), named from the VM and the snapshot name,
   * waited for until {@code readyToUse}. Its name, description, the VM's power and the snapshot it
   * was taken after (the VM's current one: KubeVirt keeps no tree) are annotations.
   */
  public Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Snapshots.requireValidName(name);
              return cluster.existingVm(vmId, providerRef);
            })
        .chain(
            vm ->
                snapshotsOf(vmId)
                    .chain(
                        all -> {
                          Optional<GenericKubernetesResource> same =
                              all.stream()
                                  .filter(
                                      s ->
                                          name.equals(
                                              annotation(
                                                  s, KubeVirtProvider.ANNOTATION_SNAPSHOT_NAME)))
                                  .findFirst();
                          if (same.isPresent()) {
                            return awaitSnapshot(KubeVirtMapper.name(same.get()))
                                .map(ready -> snapshotInfo(ready, all));
                          }
                          GenericKubernetesResource snap =
                              snapshotObject(vm, vmId, name, description, all);
                          String snapName = KubeVirtMapper.name(snap);
                          return cluster
                              .blocking(
                                  "snapshot " + snapName,
                                  () -> cluster.snapshotsApi().resource(snap).create())
                              .onFailure(type(ErrorType.CONFLICT))
                              .recoverWithNull()
                              .chain(() -> awaitSnapshot(snapName))
                              .call(ready -> setCurrentSnapshot(KubeVirtMapper.name(vm), snapName))
                              .chain(
                                  ready ->
                                      snapshotsOf(vmId).map(after -> snapshotInfo(ready, after)))
                              .invoke(
                                  s ->
                                      LOG.infof(
                                          "snapshot %s of %s (vmId %s) is ready",
                                          snapName, KubeVirtMapper.name(vm), vmId));
                        }));
  }

  private GenericKubernetesResource snapshotObject(
      GenericKubernetesResource vm,
      String vmId,
      String name,
      String description,
      List<GenericKubernetesResource> existing) {
    String vmName = KubeVirtMapper.name(vm);
    String parent = annotation(vm, KubeVirtProvider.ANNOTATION_CURRENT_SNAPSHOT);
    boolean parentExists =
        parent != null && existing.stream().anyMatch(s -> parent.equals(KubeVirtMapper.name(s)));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(KubeVirtProvider.ANNOTATION_SNAPSHOT_NAME, name);
    if (description != null) {
      annotations.put(KubeVirtProvider.ANNOTATION_SNAPSHOT_DESCRIPTION, description);
    }
    annotations.put(
        KubeVirtProvider.ANNOTATION_SNAPSHOT_POWER,
        KubeVirtMapper.power(vm, null) == PowerState.ON ? "ON" : "OFF");
    if (parentExists) {
      annotations.put(KubeVirtProvider.ANNOTATION_SNAPSHOT_PARENT, parent);
    }
    GenericKubernetesResource snap = new GenericKubernetesResource();
    snap.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_SNAPSHOT));
    snap.setKind("VirtualMachineSnapshot");
    snap.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(snapshotName(vmName, name))
            .withNamespace(cluster.settings().namespace())
            .withLabels(Map.of(VM_ID_LABEL, vmId))
            .withAnnotations(annotations)
            .build());
    snap.setAdditionalProperty(
        "spec",
        Map.of(
            "source",
            Map.of("apiGroup", KubeVirtApi.KUBEVIRT, "kind", "VirtualMachine", "name", vmName)));
    return snap;
  }

  /** {@code <vm>-<name as a DNS label>-<8 hex of the name>}, within 253 characters. */
  static String snapshotName(String vmName, String name) {
    String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String hash = sha256(name).substring(0, 8);
    String base = vmName + "-" + clean;
    if (base.length() > 240) {
      base = base.substring(0, 240);
    }
    return base.replaceAll("-+$", "") + "-" + hash;
  }

  private Uni<GenericKubernetesResource> awaitSnapshot(String snapName) {
    return cluster.until(
        "snapshot " + snapName,
        () -> cluster.snapshotsApi().withName(snapName).get(),
        s -> {
          if (s == null) {
            throw ProviderException.notFound("VirtualMachineSnapshot " + snapName + " vanished");
          }
          Map<String, Object> tree = Tree.of(s);
          if ("Failed".equals(Tree.text(tree, "status", "phase").orElse(""))) {
            throw new ProviderException(
                ErrorType.RETRYABLE,
                "snapshot "
                    + snapName
                    + " failed"
                    + KubeVirtMapper.failingCondition(tree).map(c -> ": " + c).orElse(""));
          }
          return Tree.bool(tree, "status", "readyToUse").orElse(false);
        },
        cluster.settings().timeouts().actionComplete());
  }

  private SnapshotInfo snapshotInfo(
      GenericKubernetesResource snap, List<GenericKubernetesResource> all) {
    Map<String, Object> tree = Tree.of(snap);
    String parent = annotation(snap, KubeVirtProvider.ANNOTATION_SNAPSHOT_PARENT);
    boolean parentExists =
        parent != null && all.stream().anyMatch(s -> parent.equals(KubeVirtMapper.name(s)));
    Instant created =
        Tree.text(tree, "status", "creationTime")
            .or(() -> Tree.text(tree, "metadata", "creationTimestamp"))
            .map(KubeVirtSnapshots::instant)
            .orElse(null);
    String name = annotation(snap, KubeVirtProvider.ANNOTATION_SNAPSHOT_NAME);
    return new SnapshotInfo(
        KubeVirtMapper.name(snap),
        name == null ? KubeVirtMapper.name(snap) : name,
        annotation(snap, KubeVirtProvider.ANNOTATION_SNAPSHOT_DESCRIPTION),
        created,
        "ON".equals(annotation(snap, KubeVirtProvider.ANNOTATION_SNAPSHOT_POWER))
            ? PowerState.ON
            : PowerState.OFF,
        parentExists ? parent : null);
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The VM's snapshots, oldest first. */
  public Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef) {
    return cluster
        .existingVm(vmId, providerRef)
        .chain(() -> snapshotsOf(vmId))
        .map(
            all ->
                all.stream()
                    .map(s -> snapshotInfo(s, all))
                    .sorted(
                        Comparator.comparing(
                                (SnapshotInfo s) ->
                                    s.createdAt() == null ? Instant.EPOCH : s.createdAt())
                            .thenComparing(s -> creationOrder(all, s.snapshotId())))
                    .toList());
  }

  /** Ties within one second broken by the API's resourceVersion (creation order). */
  private static long creationOrder(List<GenericKubernetesResource> all, String name) {
    return all.stream()
        .filter(s -> name.equals(KubeVirtMapper.name(s)))
        .findFirst()
        .flatMap(s -> Tree.number(Tree.of(s), "metadata", "resourceVersion"))
        .orElse(0L);
  }

  private Uni<List<GenericKubernetesResource>> snapshotsOf(String vmId) {
    return cluster.blocking(
        "snapshots of " + vmId,
        () -> cluster.snapshotsApi().withLabel(VM_ID_LABEL, vmId).list().getItems());
  }

  public Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId) {
    return cluster
        .blocking(
            "delete snapshot " + snapshotId,
            () -> {
              GenericKubernetesResource s = cluster.snapshotsApi().withName(snapshotId).get();
              if (s != null && vmId.equals(KubeVirtMapper.vmId(s))) {
                cluster.snapshotsApi().withName(snapshotId).delete();
              }
              return s;
            })
        .chain(
            s ->
                s == null
                    ? Uni.createFrom().nullItem()
                    : cluster.until(
                        "deletion of snapshot " + snapshotId,
                        () -> cluster.snapshotsApi().withName(snapshotId).get(),
                        Objects::isNull,
                        cluster.settings().timeouts().actionComplete()))
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithNull()
        .replaceWithVoid();
  }

  /**
   * A VirtualMachineRestore of the snapshot: KubeVirt restores only a stopped VM, so a running VM
   * is stopped first; after the restore the VM is started again when the snapshot was taken
   * running.
   */
  public Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId) {
    return cluster
        .existingVm(vmId, providerRef)
        .chain(
            vm ->
                cluster
                    .blocking(
                        "read snapshot " + snapshotId,
                        () -> cluster.snapshotsApi().withName(snapshotId).get())
                    .map(
                        s -> {
                          if (s == null || !vmId.equals(KubeVirtMapper.vmId(s))) {
                            throw ProviderException.notFound(
                                "VM " + vmId + " has no snapshot " + snapshotId);
                          }
                          return s;
                        })
                    .chain(
                        snap -> {
                          String name = KubeVirtMapper.name(vm);
                          boolean wasOn =
                              "ON"
                                  .equals(
                                      annotation(snap, KubeVirtProvider.ANNOTATION_SNAPSHOT_POWER));
                          return power
                              .apply(vm, PowerOp.OFF)
                              .chain(() -> restore(name, snapshotId))
                              .call(() -> setCurrentSnapshot(name, snapshotId))
                              .chain(
                                  () ->
                                      wasOn
                                          ? cluster
                                              .existingVm(vmId, name)
                                              .chain(v -> power.apply(v, PowerOp.ON))
                                          : done());
                        }));
  }

  private Uni<Void> restore(String vmName, String snapshotId) {
    String restoreName = ("restore-" + snapshotId + "-" + Long.toString(System.nanoTime(), 36));
    String cut = restoreName.length() > 253 ? restoreName.substring(0, 253) : restoreName;
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_RESTORE));
    r.setKind("VirtualMachineRestore");
    r.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(cut)
            .withNamespace(cluster.settings().namespace())
            .build());
    r.setAdditionalProperty(
        "spec",
        Map.of(
            "target",
            Map.of("apiGroup", KubeVirtApi.KUBEVIRT, "kind", "VirtualMachine", "name", vmName),
            "virtualMachineSnapshotName",
            snapshotId));
    return cluster
        .blocking("restore " + snapshotId, () -> cluster.restoresApi().resource(r).create())
        .chain(
            () ->
                cluster.until(
                    "restore " + cut,
                    () -> cluster.restoresApi().withName(cut).get(),
                    done -> {
                      if (done == null) {
                        throw ProviderException.notFound(
                            "VirtualMachineRestore " + cut + " vanished");
                      }
                      Map<String, Object> tree = Tree.of(done);
                      Optional<String> failed = KubeVirtMapper.failingCondition(tree);
                      if (failed.isPresent()) {
                        throw new ProviderException(
                            ErrorType.RETRYABLE,
                            "restore of " + snapshotId + " failed: " + failed.get());
                      }
                      return Tree.bool(tree, "status", "complete").orElse(false);
                    },
                    cluster.settings().timeouts().instanceReady()))
        .invoke(() -> LOG.infof("restored %s from %s", vmName, snapshotId))
        .replaceWithVoid();
  }

  private Uni<Void> setCurrentSnapshot(String vmName, String snapName) {
    String patch =
        Serialization.asJson(
            Map.of(
                "metadata",
                Map.of(
                    "annotations",
                    Map.of(KubeVirtProvider.ANNOTATION_CURRENT_SNAPSHOT, snapName))));
    return cluster
        .blocking(
            "annotate " + vmName,
            () ->
                cluster
                    .vms()
                    .withName(vmName)
                    .patch(
                        new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
                        patch))
        .replaceWithVoid();
  }
}
