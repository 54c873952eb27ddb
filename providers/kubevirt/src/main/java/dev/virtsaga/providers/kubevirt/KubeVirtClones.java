package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.requireLabelValue;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.type;
import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.VM_ID_LABEL;

import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/** {@link Cloning} on VirtualMachineClone. */
final class KubeVirtClones {
  private static final Logger LOG = Logger.getLogger(KubeVirtClones.class);

  private final KubeVirtCluster cluster;

  KubeVirtClones(KubeVirtCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * A VirtualMachineClone ({@code clone.kubevirt.io/v1beta1}) of the VM or of one of its snapshots
   * into {@code <name>-<targetVmId>}: the source's vmId label is filtered out, the target gets its
   * own and {@code runStrategy: Halted} (clone patches), waited for until Succeeded; the clone
   * object is removed afterwards.
   */
  public Uni<CreateResult> cloneVm(CloneRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              requireLabelValue(request.targetVmId(), "targetVmId");
              return cluster.findVm(request.targetVmId(), null);
            })
        .chain(
            existing -> {
              if (existing.isPresent()) {
                return Uni.createFrom()
                    .item(new CreateResult(KubeVirtMapper.name(existing.get()), null, false));
              }
              return cluster
                  .existingVm(request.sourceVmId(), request.sourceProviderRef())
                  .chain(source -> cloneFrom(source, request));
            });
  }

  private Uni<CreateResult> cloneFrom(GenericKubernetesResource source, CloneRequest request) {
    String target = KubeVirtProvider.vmName(request.targetName(), request.targetVmId());
    Uni<Map<String, Object>> sourceRef;
    if (request.sourceSnapshotId() == null) {
      sourceRef =
          Uni.createFrom()
              .item(
                  Map.of(
                      "apiGroup",
                      KubeVirtApi.KUBEVIRT,
                      "kind",
                      "VirtualMachine",
                      "name",
                      KubeVirtMapper.name(source)));
    } else {
      sourceRef =
          cluster
              .blocking(
                  "read snapshot " + request.sourceSnapshotId(),
                  () -> cluster.snapshotsApi().withName(request.sourceSnapshotId()).get())
              .map(
                  s -> {
                    if (s == null || !request.sourceVmId().equals(KubeVirtMapper.vmId(s))) {
                      throw ProviderException.notFound(
                          "VM "
                              + request.sourceVmId()
                              + " has no snapshot "
                              + request.sourceSnapshotId());
                    }
                    return Map.of(
                        "apiGroup",
                        KubeVirtApi.SNAPSHOT,
                        "kind",
                        "VirtualMachineSnapshot",
                        "name",
                        request.sourceSnapshotId());
                  });
    }
    String cloneName = "clone-" + request.targetVmId();
    return sourceRef
        .chain(
            src -> {
              GenericKubernetesResource clone = new GenericKubernetesResource();
              clone.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_CLONE));
              clone.setKind("VirtualMachineClone");
              clone.setMetadata(
                  new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                      .withName(cloneName)
                      .withNamespace(cluster.settings().namespace())
                      .withAnnotations(
                          request.operationId() == null
                              ? Map.of()
                              : Map.of(
                                  KubeVirtProvider.ANNOTATION_OPERATION, request.operationId()))
                      .build());
              List<String> filters = List.of("*", "!" + VM_ID_LABEL);
              clone.setAdditionalProperty(
                  "spec",
                  Map.of(
                      "source", src,
                      "target",
                          Map.of(
                              "apiGroup",
                              KubeVirtApi.KUBEVIRT,
                              "kind",
                              "VirtualMachine",
                              "name",
                              target),
                      "labelFilters", filters,
                      "template", Map.of("labelFilters", filters),
                      "patches",
                          List.of(
                              "{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Halted\"}",
                              "{\"op\":\"add\",\"path\":\"/metadata/labels/virtsaga.dev~1vm-id\",\"value\":\""
                                  + request.targetVmId()
                                  + "\"}",
                              "{\"op\":\"add\",\"path\":\"/spec/template/metadata/labels/virtsaga.dev~1vm-id\",\"value\":\""
                                  + request.targetVmId()
                                  + "\"}")));
              return cluster
                  .blocking(
                      "clone " + cloneName, () -> cluster.clonesApi().resource(clone).create())
                  .onFailure(type(ErrorType.CONFLICT))
                  .recoverWithNull();
            })
        .chain(
            () ->
                cluster.until(
                    "clone " + cloneName,
                    () -> cluster.clonesApi().withName(cloneName).get(),
                    c -> {
                      if (c == null) {
                        throw ProviderException.notFound(
                            "VirtualMachineClone " + cloneName + " vanished");
                      }
                      Map<String, Object> tree = Tree.of(c);
                      String phase = Tree.text(tree, "status", "phase").orElse("");
                      if ("Failed".equals(phase)) {
                        throw new ProviderException(
                            ErrorType.RETRYABLE,
                            "clone "
                                + cloneName
                                + " failed"
                                + KubeVirtMapper.failingCondition(tree)
                                    .map(m -> ": " + m)
                                    .orElse(""));
                      }
                      return "Succeeded".equals(phase);
                    },
                    cluster.settings().timeouts().instanceReady()))
        .chain(() -> ensureTargetTagged(target, request))
        .call(
            () ->
                cluster
                    .blocking(
                        "remove clone " + cloneName,
                        () -> cluster.clonesApi().withName(cloneName).delete())
                    .onFailure()
                    .recoverWithNull())
        .map(vm -> new CreateResult(target, null, true))
        .invoke(
            r ->
                LOG.infof(
                    "cloned %s%s as %s (vmId %s)",
                    request.sourceVmId(),
                    request.sourceSnapshotId() == null ? "" : " at " + request.sourceSnapshotId(),
                    target,
                    request.targetVmId()));
  }

  /** The clone labelled with its vmId and Halted, whatever the cluster made of the patches. */
  private Uni<GenericKubernetesResource> ensureTargetTagged(String target, CloneRequest request) {
    Map<String, Object> patch =
        Map.of(
            "metadata",
            Map.of(
                "labels", Map.of(VM_ID_LABEL, request.targetVmId()),
                "annotations", Map.of(KubeVirtProvider.ANNOTATION_NAME, request.targetName())),
            "spec",
            Map.of(
                "runStrategy",
                "Halted",
                "template",
                Map.of("metadata", Map.of("labels", Map.of(VM_ID_LABEL, request.targetVmId())))));
    return cluster.blocking(
        "label clone " + target,
        () ->
            cluster
                .vms()
                .withName(target)
                .patch(
                    new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
                    Serialization.asJson(patch)));
  }
}
