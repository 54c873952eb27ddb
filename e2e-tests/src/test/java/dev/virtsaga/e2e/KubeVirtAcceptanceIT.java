package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.model.CommandType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6's acceptance through the gateway, the orchestrator and worker-kubevirt against the
 * KubeVirt simulator: create → RUNNING → snapshot → restore → clone → migrate → delete, each
 * confirmed by reading the objects back from the Kubernetes API; a stalled migration hits its
 * deadline, is cancelled and the VM runs on with a {@code vm.operation.timed-out} event; a spec the
 * API refuses is a clear INVALID_SPEC, not a retry loop.
 */
class KubeVirtAcceptanceIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static Stack stack;
  private static Api api;
  private static KubeVirtSimulator kube;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    assertThat(stack.kubevirt).as("the KubeVirt simulator runs on the default stack").isNotNull();
    kube = stack.kubevirt;
    api = new Api(stack.gatewayUrl());
  }

  private static ResourceDefinitionContext kind(String group, String version, String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(kind.toLowerCase() + "s")
        .withNamespaced(true)
        .build();
  }

  private static final ResourceDefinitionContext VM = kind("kubevirt.io", "v1", "VirtualMachine");
  private static final ResourceDefinitionContext VMI =
      kind("kubevirt.io", "v1", "VirtualMachineInstance");
  private static final ResourceDefinitionContext VMIM =
      kind("kubevirt.io", "v1", "VirtualMachineInstanceMigration");
  private static final ResourceDefinitionContext SNAPSHOT =
      kind("snapshot.kubevirt.io", "v1beta1", "VirtualMachineSnapshot");
  private static final ResourceDefinitionContext RESTORE =
      kind("snapshot.kubevirt.io", "v1beta1", "VirtualMachineRestore");

  /** The objects of a kind in the namespace, as the API has them. */
  private static List<GenericKubernetesResource> objects(ResourceDefinitionContext c) {
    return kube.client()
        .genericKubernetesResources(c)
        .inNamespace(kube.namespace())
        .list()
        .getItems();
  }

  /** The VirtualMachine labelled with the vmId, or null. */
  private static GenericKubernetesResource vmObject(String vmId) {
    return kube.managedVm(vmId);
  }

  private static GenericKubernetesResource vmiObject(String name) {
    return kube.client()
        .genericKubernetesResources(VMI)
        .inNamespace(kube.namespace())
        .withName(name)
        .get();
  }

  @SuppressWarnings("unchecked")
  private static Object at(GenericKubernetesResource r, String... path) {
    Object cur = r.getAdditionalProperties();
    for (String key : path) {
      if (!(cur instanceof Map<?, ?> m)) {
        return null;
      }
      cur = ((Map<String, Object>) m).get(key);
    }
    return cur;
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void awaitState(String vmId, String state) {
    api.awaitState(vmId, state, WAIT);
  }

  private static JsonNode awaitOperation(Api.Answer accepted, String status) {
    return api.awaitOperation(accepted, status, WAIT);
  }

  private static Api.Answer createVm(String name, String labels) {
    return api.post(
        "/v1/vms",
        "{\"name\":\""
            + name
            + "\",\"provider\":\"kubevirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0"
            + (labels == null ? "" : ",\"labels\":" + labels)
            + "}");
  }

  @Test
  void createSnapshotRestoreCloneMigrateDeleteEachReadBackFromTheApi() throws Exception {
    List<String> vms = new ArrayList<>();
    try (EventRecorder recorder =
        EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE), false)) {
      // create → RUNNING: a VirtualMachine labelled with the vmId, Running, with a VMI on a node
      Api.Answer created = createVm(unique("kv"), null);
      String vmId = created.body().path("vmId").asText();
      vms.add(vmId);
      awaitOperation(created, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      GenericKubernetesResource vm = vmObject(vmId);
      String name = vm.getMetadata().getName();
      assertThat(at(vm, "status", "printableStatus")).isEqualTo("Running");
      GenericKubernetesResource vmi = vmiObject(name);
      assertThat(vmi).isNotNull();
      String node = String.valueOf(at(vmi, "status", "nodeName"));
      assertThat(kube.nodes()).contains(node);
      assertThat(api.get("/v1/vms/" + vmId).body().path("ips").size()).isPositive();

      // snapshot: a VirtualMachineSnapshot of the VM, ready to use
      Api.Answer snap = api.post("/v1/vms/" + vmId + "/snapshots", "{\"name\":\"base\"}");
      String snapshotId = snap.body().path("operationId").asText();
      awaitOperation(snap, "SUCCEEDED");
      List<GenericKubernetesResource> snapshots =
          objects(SNAPSHOT).stream()
              .filter(s -> vmId.equals(s.getMetadata().getLabels().get("virtsaga.dev/vm-id")))
              .toList();
      assertThat(snapshots).hasSize(1);
      assertThat(at(snapshots.get(0), "status", "readyToUse")).isEqualTo(true);
      assertThat(at(snapshots.get(0), "spec", "source", "name")).isEqualTo(name);

      // restore (revert): a complete VirtualMachineRestore of it, the VM running again
      awaitOperation(
          api.post("/v1/vms/" + vmId + "/snapshots/" + snapshotId + "/revert", null), "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(objects(RESTORE))
          .anySatisfy(
              r -> {
                assertThat(at(r, "spec", "target", "name")).isEqualTo(name);
                assertThat(at(r, "spec", "virtualMachineSnapshotName"))
                    .isEqualTo(snapshots.get(0).getMetadata().getName());
                assertThat(at(r, "status", "complete")).isEqualTo(true);
              });
      assertThat(at(vmObject(vmId), "status", "printableStatus")).isEqualTo("Running");

      // clone: a new VirtualMachine with its own vmId, Halted
      JsonNode cloned =
          awaitOperation(
              api.post("/v1/vms/" + vmId + "/clone", "{\"name\":\"" + unique("kv-copy") + "\"}"),
              "SUCCEEDED");
      String cloneId = cloned.path("result").path("vmId").asText();
      vms.add(cloneId);
      awaitState(cloneId, "STOPPED");
      GenericKubernetesResource clone = vmObject(cloneId);
      assertThat(clone).isNotNull();
      assertThat(clone.getMetadata().getName()).isNotEqualTo(name);
      assertThat(at(clone, "spec", "runStrategy")).isEqualTo("Halted");

      // migrate to another node: the VMI runs there, the migration object Succeeded (the revert
      // restarted the VM, so it may run elsewhere now)
      String now = String.valueOf(at(vmiObject(name), "status", "nodeName"));
      String target = kube.nodes().stream().filter(n -> !n.equals(now)).findFirst().orElseThrow();
      JsonNode moved =
          awaitOperation(
              api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + target + "\"}"),
              "SUCCEEDED");
      assertThat(moved.path("result").path("host").asText()).isEqualTo(target);
      awaitState(vmId, "RUNNING");
      assertThat(at(vmiObject(name), "status", "nodeName")).isEqualTo(target);
      assertThat(objects(VMIM))
          .anySatisfy(
              m -> {
                assertThat(at(m, "spec", "vmiName")).isEqualTo(name);
                assertThat(at(m, "status", "phase")).isEqualTo("Succeeded");
              });

      // delete: no VirtualMachine and no VMI of ours left
      for (String id : vms) {
        awaitOperation(api.delete("/v1/vms/" + id), "SUCCEEDED");
      }
      for (String id : vms) {
        assertThat(vmObject(id)).as("VM of " + id).isNull();
      }
      assertThat(vmiObject(name)).isNull();

      // each step was a lifecycle event that follows its schema
      List<CommandType> succeeded = new ArrayList<>();
      for (CloudEvent e : recorder.events(r -> vms.contains(r.key()))) {
        assertThat(EventSchemas.validate(e.type(), e.data())).as(e.type()).isEmpty();
        if (e.type().contains("operation.succeeded") && e.subject() != null) {
          succeeded.add(Json.read(e.data(), OperationSucceeded.class).operation());
        }
      }
      assertThat(succeeded)
          .contains(
              CommandType.CREATE,
              CommandType.SNAPSHOT_CREATE,
              CommandType.SNAPSHOT_REVERT,
              CommandType.CLONE,
              CommandType.MIGRATE,
              CommandType.DELETE);
    } finally {
      for (String id : vms) {
        if (vmObject(id) != null) {
          api.delete("/v1/vms/" + id);
        }
      }
    }
  }

  @Test
  void aStalledMigrationHitsItsDeadlineIsCancelledAndTheVmRunsOn() throws Exception {
    stack.restartOrchestrator(Map.of("VIRTSAGA_ORCHESTRATOR_TIMEOUTS_MIGRATION", "4s"));
    String vmId = null;
    try (EventRecorder recorder =
        EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE), false)) {
      // Given a running VM, and migrations that never get past Scheduling
      Api.Answer created = createVm(unique("kv-stall"), null);
      vmId = created.body().path("vmId").asText();
      awaitOperation(created, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      String name = vmObject(vmId).getMetadata().getName();
      String node = String.valueOf(at(vmiObject(name), "status", "nodeName"));
      String target = kube.nodes().stream().filter(n -> !n.equals(node)).findFirst().orElseThrow();
      kube.faults().stall(KubeVirtFaults.Operation.MIGRATION, KubeVirtFaults.ANY);

      // When it is asked to migrate
      Api.Answer migrate =
          api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + target + "\"}");
      String finalVmId = vmId;
      await().atMost(WAIT).until(() -> "MIGRATING".equals(api.state(finalVmId)));

      // Then the deadline passes: timed out, the migration object is deleted (cancelled), and the
      // VM runs on its node
      JsonNode failed = awaitOperation(migrate, "FAILED");
      assertThat(failed.path("error").path("type").asText()).isEqualTo("TIMEOUT");
      awaitState(vmId, "RUNNING");
      await()
          .atMost(WAIT)
          .until(
              () -> objects(VMIM).stream().noneMatch(m -> name.equals(at(m, "spec", "vmiName"))));
      assertThat(at(vmiObject(name), "status", "nodeName")).isEqualTo(node);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  recorder.events(r -> finalVmId.equals(r.key())).stream()
                      .anyMatch(e -> e.type().contains("operation.timed-out")));
    } finally {
      kube.faults().clear();
      stack.restartOrchestrator(Map.of());
      if (vmId != null) {
        awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED");
      }
    }
  }

  @Test
  void aSpecTheApiRefusesFailsOnceAsInvalidSpecAndLeavesNothing() {
    // Given a VM naming an instancetype the cluster does not have
    Api.Answer created =
        createVm(unique("kv-bad"), "{\"kubevirt.virtsaga.dev/instancetype\":\"no-such-type\"}");
    String vmId = created.body().path("vmId").asText();

    // When / Then: the operation fails with the API's reason, the VM is FAILED, nothing is made
    JsonNode failed = awaitOperation(created, "FAILED");
    assertThat(failed.path("error").path("type").asText()).isEqualTo("INVALID_SPEC");
    assertThat(failed.path("error").path("message").asText()).contains("no-such-type");
    awaitState(vmId, "FAILED");
    assertThat(vmObject(vmId)).isNull();
  }
}
