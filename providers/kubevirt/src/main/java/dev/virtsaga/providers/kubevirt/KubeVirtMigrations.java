package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.done;
import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.HOSTNAME_LABEL;
import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.VM_ID_LABEL;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Migration;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.TaskState;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import java.util.Map;
import org.jboss.logging.Logger;

/** {@link Migration} on VirtualMachineInstanceMigration. */
final class KubeVirtMigrations {
  private static final Logger LOG = Logger.getLogger(KubeVirtMigrations.class);

  private final KubeVirtCluster cluster;

  /** Migrations this adapter cancelled (their objects are gone): FAILED, not unknown. */
  private final java.util.Set<String> cancelled =
      java.util.Collections.newSetFromMap(
          java.util.Collections.synchronizedMap(
              new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> e) {
                  return size() > 10_000;
                }
              }));

  KubeVirtMigrations(KubeVirtCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * A running VM: a VirtualMachineInstanceMigration of its VMI with {@code addedNodeSelector}
   * {@code kubernetes.io/hostname=<node>}; its name is the task. While one of the VMI's migrations
   * runs, that one is returned. A VM already on the node, or a stopped one (pinned to the node by
   * its template's {@code nodeSelector}, where its next start runs), gets {@code done/<vm>}, a task
   * that is SUCCEEDED.
   */
  public Uni<String> migrate(String vmId, String providerRef, String targetHost) {
    if (targetHost == null || targetHost.isBlank()) {
      return Uni.createFrom().failure(ProviderException.invalidSpec("no target node"));
    }
    return cluster
        .existingVm(vmId, providerRef)
        .chain(
            vm ->
                cluster.blocking(
                    "migrate " + vmId,
                    () -> {
                      String name = KubeVirtMapper.name(vm);
                      if (cluster.client().nodes().withName(targetHost).get() == null) {
                        throw ProviderException.invalidSpec("no node " + targetHost);
                      }
                      GenericKubernetesResource vmi = cluster.vmiOf(name);
                      if (vmi == null || KubeVirtMapper.vmiPower(vmi) == PowerState.OFF) {
                        pinTemplate(name, targetHost);
                        return "done/" + name;
                      }
                      if (targetHost.equals(KubeVirtMapper.node(vm, vmi))) {
                        return "done/" + name;
                      }
                      for (GenericKubernetesResource m :
                          cluster.migrationsApi().list().getItems()) {
                        Map<String, Object> t = Tree.of(m);
                        String phase = Tree.text(t, "status", "phase").orElse("");
                        if (name.equals(Tree.text(t, "spec", "vmiName").orElse(""))
                            && !"Succeeded".equals(phase)
                            && !"Failed".equals(phase)) {
                          return KubeVirtMapper.name(m);
                        }
                      }
                      GenericKubernetesResource m = new GenericKubernetesResource();
                      m.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.MIGRATION));
                      m.setKind("VirtualMachineInstanceMigration");
                      m.setMetadata(
                          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                              .withName(
                                  name + "-mig-" + Long.toString(System.currentTimeMillis(), 36))
                              .withNamespace(cluster.settings().namespace())
                              .withLabels(Map.of(VM_ID_LABEL, vmId))
                              .build());
                      m.setAdditionalProperty(
                          "spec",
                          Map.of(
                              "vmiName",
                              name,
                              "addedNodeSelector",
                              Map.of(HOSTNAME_LABEL, targetHost)));
                      GenericKubernetesResource made = cluster.migrationsApi().resource(m).create();
                      LOG.infof(
                          "migrating %s (vmId %s) to %s: %s",
                          name, vmId, targetHost, KubeVirtMapper.name(made));
                      return KubeVirtMapper.name(made);
                    }));
  }

  private void pinTemplate(String vmName, String node) {
    cluster
        .vms()
        .withName(vmName)
        .patch(
            new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
            Serialization.asJson(
                Map.of(
                    "spec",
                    Map.of(
                        "template",
                        Map.of("spec", Map.of("nodeSelector", Map.of(HOSTNAME_LABEL, node)))))));
  }

  /** Phases Succeeded / Failed end it; anything else runs (KubeVirt reports no percentage). */
  public Uni<TaskState> migrationStatus(String taskRef) {
    if (taskRef != null && taskRef.startsWith("done/")) {
      return Uni.createFrom().item(TaskState.succeeded(taskRef));
    }
    return cluster.blocking(
        "migration " + taskRef,
        () -> {
          GenericKubernetesResource m = cluster.migrationsApi().withName(taskRef).get();
          if (m == null) {
            if (cancelled.contains(taskRef)) {
              // deleting the object aborted it; KubeVirt then forgets it
              return TaskState.failed(
                  taskRef, ProviderException.conflict("migration " + taskRef + " was cancelled"));
            }
            throw ProviderException.notFound("no migration " + taskRef);
          }
          Map<String, Object> t = Tree.of(m);
          String phase = Tree.text(t, "status", "phase").orElse("Pending");
          return switch (phase) {
            case "Succeeded" -> TaskState.succeeded(taskRef);
            case "Failed" ->
                TaskState.failed(
                    taskRef,
                    new ProviderException(
                        Tree.text(t, "status", "migrationState", "abortStatus").isPresent()
                            ? ErrorType.CONFLICT
                            : ErrorType.RETRYABLE,
                        "migration "
                            + taskRef
                            + " failed"
                            + Tree.text(t, "status", "migrationState", "failureReason")
                                .or(() -> KubeVirtMapper.failingCondition(t))
                                .map(r -> ": " + r)
                                .orElse("")));
            default -> TaskState.running(taskRef, null);
          };
        });
  }

  /** Deletes the migration object, which aborts a running migration (the VMI stays). */
  public Uni<Void> cancelMigration(String taskRef) {
    return migrationStatus(taskRef)
        .chain(
            state ->
                state.isComplete()
                    ? done()
                    : cluster
                        .blocking(
                            "cancel " + taskRef,
                            () -> cluster.migrationsApi().withName(taskRef).delete())
                        .invoke(
                            () -> {
                              cancelled.add(taskRef);
                              LOG.infof("cancelled migration %s", taskRef);
                            })
                        .replaceWithVoid());
  }
}
