package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtResource;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.mutiny.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's acceptance through the whole stack, for the three simulated providers (libvirt on real
 * QEMU is {@code QemuDriftIT}): a VM changed behind VirtSaga's back — powered off, deleted — is
 * observed by the worker's watcher and handled by the orchestrator per its drift policy within a
 * second of the change being visible on the provider; an unreachable provider marks its VMs without
 * touching their states; a tagged VM the orchestrator does not know is offered for adoption.
 */
class DriftAcceptanceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The acceptance bound: from the change visible on the provider to its handling. */
  private static final Duration WITHIN = Duration.ofSeconds(1);

  private static final ResourceDefinitionContext VM = KubeVirtResource.VIRTUAL_MACHINE.context();

  private static Stack stack;
  private static Api api;
  private static KubeVirtSimulator kube;
  private static Vertx vertx;
  private static VSphereProvider vcenter;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void up() {
    stack = Stack.get();
    assertThat(stack.kubevirt).as("the simulators run on the default stack").isNotNull();
    api = new Api(stack.gatewayUrl());
    kube = stack.kubevirt;
    vertx = Vertx.vertx();
    vcenter = stack.vcenterSession(vertx);
  }

  @AfterAll
  static void down() {
    if (vcenter != null) {
      vcenter.close();
      vertx.closeAndAwait();
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Creates a running VM through the gateway; its vmId. */
  private static String runningVm(String provider, DriftPolicy policy) {
    Api.Answer created =
        api.post(
            "/v1/vms",
            "{\"name\":\""
                + unique("drift")
                + "\",\"provider\":\""
                + provider
                + "\",\"cpus\":1,\"memoryMiB\":"
                + (provider.equals("virtfusion") ? 1024 : 128)
                + ",\"diskGiB\":0"
                + (policy == null ? "" : ",\"driftPolicy\":\"" + policy + "\"")
                + (provider.equals("virtfusion")
                    ? ",\"image\":\"101\",\"labels\":{\"virtfusion.dev/hypervisor-group\":\"1\"}"
                    : "")
                + "}");
    String vmId = created.body().path("vmId").asText();
    api.awaitOperation(created, "SUCCEEDED", WAIT);
    api.awaitState(vmId, "RUNNING", WAIT);
    return vmId;
  }

  /** Deletes the VM through the gateway, whatever became of it (nothing is left behind). */
  private static void deleteQuietly(String vmId) {
    try {
      api.awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED", WAIT);
    } catch (RuntimeException | AssertionError e) {
      System.err.println("cleanup of " + vmId + " failed: " + e);
    }
  }

  private static EventRecorder record() {
    return EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE, Topics.OBSERVATIONS), false);
  }

  private static List<PowerDrifted> drifts(EventRecorder r, String vmId) {
    return r.payloads(vmId, PowerDrifted.class);
  }

  private static boolean failedAsVanished(EventRecorder r, String vmId) {
    return r.payloads(vmId, StateChanged.class).stream()
        .anyMatch(s -> s.to() == VmState.FAILED && "VANISHED".equals(s.reason()));
  }

  /**
   * Waits until {@code visible} holds on the provider, then at most {@link #WITHIN} for it; prints
   * how long the handling took, and on a timeout the VM's events as they arrived, so that a slow
   * run says where the time went.
   */
  private static void handledWithinASecond(
      EventRecorder r,
      String vmId,
      String what,
      java.util.concurrent.Callable<Boolean> visible,
      java.util.concurrent.Callable<Boolean> handled) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(visible);
    Instant seen = Instant.now();
    try {
      await().atMost(WITHIN).pollInterval(Duration.ofMillis(10)).until(handled);
      System.out.printf(
          "%s of %s handled %d ms after it was visible%n",
          what, vmId, Duration.between(seen, Instant.now()).toMillis());
    } catch (ConditionTimeoutException e) {
      // how late, if at all, and what arrived meanwhile
      String outcome;
      try {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(handled);
        outcome = "handled " + Duration.between(seen, Instant.now()).toMillis() + " ms";
      } catch (ConditionTimeoutException notAtAll) {
        outcome = "not handled " + Duration.between(seen, Instant.now()).toMillis() + " ms";
      }
      StringBuilder timeline = new StringBuilder();
      for (EventRecorder.Recorded x : r.all()) {
        if (vmId.equals(x.key()) || x.event() != null && x.key() == null) {
          timeline.append(
              String.format(
                  "%n  %+6d ms (kafka %+6d ms) %s %s",
                  Duration.between(seen, x.receivedAt()).toMillis(),
                  Duration.between(seen, x.timestamp()).toMillis(),
                  x.event() == null ? "?" : x.event().type(),
                  x.event() == null ? x.rawValue() : x.event().data()));
        }
      }
      throw new AssertionError(
          what
              + " of "
              + vmId
              + ": "
              + outcome
              + " after it was visible (bound "
              + WITHIN.toMillis()
              + " ms); events relative to that moment:"
              + timeline,
          e);
    }
  }

  private static void allSchemaValid(EventRecorder r, String vmId) {
    for (var e : r.events(x -> vmId.equals(x.key()))) {
      assertThat(EventSchemas.validate(e.type(), e.data())).as(e.type() + " " + e.data()).isEmpty();
    }
  }

  // ------------------------------------------------------------------ KubeVirt: ENFORCE

  private static GenericKubernetesResource vmObject(String vmId) {
    return kube.managedVm(vmId);
  }

  private static Object printableStatus(String vmId) {
    GenericKubernetesResource vm = vmObject(vmId);
    if (vm == null
        || !(vm.getAdditionalProperties().get("status") instanceof java.util.Map<?, ?> s)) {
      return null;
    }
    return s.get("printableStatus");
  }

  @Test
  void kubeVirtVmStoppedBehindOurBackIsStartedAgainUnderEnforceAndItsDeletionFailsIt() {
    String vmId = runningVm("kubevirt", DriftPolicy.ENFORCE);
    String name = vmObject(vmId).getMetadata().getName();
    try (EventRecorder r = record()) {
      // When someone halts it through the Kubernetes API
      kube.client()
          .genericKubernetesResources(VM)
          .inNamespace(kube.namespace())
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"runStrategy\":\"Halted\"}}");

      // Then: observed and the drift raised with a corrective operation within a second
      handledWithinASecond(
          r,
          vmId,
          "power-off (ENFORCE)",
          () -> "Stopped".equals(printableStatus(vmId)),
          () ->
              drifts(r, vmId).stream()
                  .anyMatch(d -> d.policy() == DriftPolicy.ENFORCE && d.operationId() != null));
      PowerDrifted drift = drifts(r, vmId).get(0);
      assertThat(drift.expected()).isEqualTo(PowerState.ON);
      assertThat(drift.observed()).isEqualTo(PowerState.OFF);
      assertThat(r.payloads(vmId, VmObserved.class))
          .anySatisfy(o -> assertThat(o.power()).isEqualTo(PowerState.OFF));

      // and the corrective start runs it again, on the cluster too
      JsonNode op = api.get("/v1/operations/" + drift.operationId()).body();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "SUCCEEDED"
                      .equals(
                          api.get("/v1/operations/" + drift.operationId())
                              .body()
                              .path("status")
                              .asText()));
      assertThat(op.path("type").asText()).isEqualTo("START");
      api.awaitState(vmId, "RUNNING", WAIT);
      await().atMost(WAIT).until(() -> "Running".equals(printableStatus(vmId)));

      // When someone deletes it
      kube.client()
          .genericKubernetesResources(VM)
          .inNamespace(kube.namespace())
          .withName(name)
          .delete();

      // Then: FAILED as vanished within a second of it being gone
      handledWithinASecond(
          r, vmId, "deletion", () -> vmObject(vmId) == null, () -> failedAsVanished(r, vmId));
      api.awaitState(vmId, "FAILED", WAIT);
      assertThat(api.get("/v1/vms/" + vmId).body().path("lastError").path("type").asText())
          .isEqualTo("NOT_FOUND");
      allSchemaValid(r, vmId);
    } finally {
      deleteQuietly(vmId);
    }
  }

  // ------------------------------------------------------------------ vSphere: ALERT

  private static VmDescription onVcsim(String vmId) {
    return vcenter.describe(vmId, null).await().atMost(WAIT);
  }

  @Test
  void vSphereVmPoweredOffBehindOurBackIsOnlyReportedUnderAlertAndItsDeletionFailsIt() {
    String vmId = runningVm("vsphere", DriftPolicy.ALERT);
    VmDescription vm = onVcsim(vmId);
    try (EventRecorder r = record()) {
      // When someone powers it off in vCenter
      vcenter.power(vmId, vm.providerRef(), PowerOp.OFF).await().atMost(WAIT);

      // Then: the drift raised within a second; the state stays RUNNING (nothing is done)
      handledWithinASecond(
          r,
          vmId,
          "power-off (ALERT)",
          () -> onVcsim(vmId).power() == dev.virtsaga.providers.spi.PowerState.OFF,
          () -> drifts(r, vmId).stream().anyMatch(d -> d.policy() == DriftPolicy.ALERT));
      assertThat(drifts(r, vmId).get(0).operationId()).isNull();
      await()
          .atMost(WAIT)
          .until(() -> "OFF".equals(api.get("/v1/vms/" + vmId).body().path("power").asText()));
      assertThat(api.get("/v1/vms/" + vmId).body().path("state").asText()).isEqualTo("RUNNING");
      assertThat(onVcsim(vmId).power()).isEqualTo(dev.virtsaga.providers.spi.PowerState.OFF);

      // When someone deletes it in vCenter
      vcenter.delete(vmId, vm.providerRef()).await().atMost(WAIT);

      // Then
      handledWithinASecond(
          r, vmId, "deletion", () -> !onVcsim(vmId).exists(), () -> failedAsVanished(r, vmId));
      api.awaitState(vmId, "FAILED", WAIT);
      allSchemaValid(r, vmId);
    } finally {
      deleteQuietly(vmId);
    }
  }

  // ------------------------------------------------------------------ VirtFusion: ADOPT

  private static SimServer server(String vmId) {
    return stack.virtfusion.servers().stream()
        .filter(s -> s.name().contains("[vs:" + vmId + "]"))
        .findFirst()
        .orElse(null);
  }

  private static void virtFusion(String method, String path) throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(stack.virtfusion.baseUrl() + path))
                .header("Authorization", "Bearer " + stack.virtfusion.token())
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isLessThan(300);
  }

  @Test
  void virtFusionVmShutDownBehindOurBackIsAdoptedAsStoppedAndItsDeletionFailsIt() throws Exception {
    String vmId = runningVm("virtfusion", null); // the default policy: ADOPT
    long serverId = server(vmId).id();
    try (EventRecorder r = record()) {
      // When someone powers it off in VirtFusion
      virtFusion("POST", "/servers/" + serverId + "/power/poweroff");

      // Then: the state follows within a second of the server being off
      handledWithinASecond(
          r,
          vmId,
          "power-off (ADOPT)",
          () -> !"running".equalsIgnoreCase(String.valueOf(server(vmId).state())),
          () ->
              r.payloads(vmId, StateChanged.class).stream()
                  .anyMatch(s -> s.to() == VmState.STOPPED && "drift".equals(s.reason())));
      assertThat(drifts(r, vmId))
          .singleElement()
          .satisfies(d -> assertThat(d.policy()).isEqualTo(DriftPolicy.ADOPT));
      api.awaitState(vmId, "STOPPED", WAIT);

      // When someone deletes it in VirtFusion
      virtFusion("DELETE", "/servers/" + serverId + "?delay=0");

      // Then
      handledWithinASecond(
          r, vmId, "deletion", () -> server(vmId) == null, () -> failedAsVanished(r, vmId));
      api.awaitState(vmId, "FAILED", WAIT);
      allSchemaValid(r, vmId);
    } finally {
      deleteQuietly(vmId);
    }
  }

  // ------------------------------------------------------------------ unreachable provider

  @Test
  void anUnreachableProviderMarksItsVmsWithoutTouchingTheirStatesUntilItAnswersAgain() {
    String vmId = runningVm("kubevirt", null);
    try {
      // When the Kubernetes API stops answering
      kube.faults().unresponsive();

      // Then: the VM is shown ProviderReachable=False, power UNKNOWN, still RUNNING
      await().atMost(WAIT).until(() -> !reachable(api.get("/v1/vms/" + vmId).body()));
      JsonNode vm = api.get("/v1/vms/" + vmId).body();
      assertThat(vm.path("state").asText()).isEqualTo("RUNNING");
      assertThat(vm.path("power").asText()).isEqualTo("UNKNOWN");
    } finally {
      kube.faults().available();
    }
    // and when it answers again, reachable with its power back, by itself
    await().atMost(WAIT).until(() -> reachable(api.get("/v1/vms/" + vmId).body()));
    await()
        .atMost(WAIT)
        .until(() -> "ON".equals(api.get("/v1/vms/" + vmId).body().path("power").asText()));
    assertThat(api.get("/v1/vms/" + vmId).body().path("state").asText()).isEqualTo("RUNNING");
    api.awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED", WAIT);
  }

  private static boolean reachable(JsonNode vm) {
    for (JsonNode c : vm.path("conditions")) {
      if ("ProviderReachable".equals(c.path("type").asText())) {
        return c.path("status").asBoolean();
      }
    }
    return true; // no condition yet: never found unreachable
  }

  // ------------------------------------------------------------------ adoption

  @Test
  void aTaggedVmNobodyKnowsIsOfferedForAdoptionAndAdoptedRunning() {
    // Given a running VirtualMachine carrying a vmId the orchestrator does not know
    String vmId = UUID.randomUUID().toString();
    String name = unique("orphan");
    kube.client()
        .genericKubernetesResources(VM)
        .inNamespace(kube.namespace())
        .resource(
            Serialization.unmarshal(
                "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\""
                    + name
                    + "\",\"labels\":{\"virtsaga.dev/vm-id\":\""
                    + vmId
                    + "\"}},\"spec\":{\"runStrategy\":\"Always\",\"template\":{\"spec\":{\"domain\":"
                    + "{\"cpu\":{\"cores\":1},\"memory\":{\"guest\":\"128Mi\"},\"devices\":{}}}}}}",
                GenericKubernetesResource.class))
        .create();

    // Then: a pending adoption
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (JsonNode a : api.get("/v1/adoptions?provider=kubevirt").body().path("items")) {
                if (vmId.equals(a.path("vmId").asText()) && "ON".equals(a.path("power").asText())) {
                  return true;
                }
              }
              return false;
            });

    // When adopted
    Api.Answer adopted =
        api.post(
            "/v1/adoptions/" + vmId,
            "{\"name\":\"" + name + "\",\"cpus\":1,\"memoryMiB\":128,\"driftPolicy\":\"ALERT\"}");
    api.awaitOperation(adopted, "SUCCEEDED", WAIT);

    // Then: a managed VM, RUNNING, no longer offered, the adoption audited
    api.awaitState(vmId, "RUNNING", WAIT);
    JsonNode vm = api.get("/v1/vms/" + vmId).body();
    assertThat(vm.path("spec").path("provider").asText()).isEqualTo("kubevirt");
    assertThat(vm.path("spec").path("driftPolicy").asText()).isEqualTo("ALERT");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              for (JsonNode a : api.get("/v1/adoptions").body().path("items")) {
                if (vmId.equals(a.path("vmId").asText())) {
                  return false;
                }
              }
              return true;
            });
    assertThat(api.get("/v1/adoptions/audit?vmId=" + vmId).body().path("items"))
        .anySatisfy(e -> assertThat(e.path("action").asText()).isEqualTo("ADOPTED"));

    // and it is managed like any other: deleted through the gateway, gone from the cluster
    api.awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED", WAIT);
    await().atMost(WAIT).until(() -> vmObject(vmId) == null);
  }
}
