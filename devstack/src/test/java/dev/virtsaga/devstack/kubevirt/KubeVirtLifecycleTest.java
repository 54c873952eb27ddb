package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitField;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitGone;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitObject;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.create;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.get;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.name;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.parse;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.set;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.text;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.vm;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** VMs and VMIs through the run strategies and virt-api's subresources, over real HTTP. */
class KubeVirtLifecycleTest {

  static KubeVirtSimulator sim;
  static KubernetesClient client;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = KubeVirtSimulator.builder().stepDelay(java.time.Duration.ofMillis(50)).build().start();
    client = sim.newClient();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  private static GenericKubernetesResource awaitPrintable(String name, String printableStatus) {
    return awaitField(client, VIRTUAL_MACHINE, name, "status.printableStatus", printableStatus);
  }

  @Test
  void aVmWithRunStrategyAlwaysRunsOnANodeWithAnIp() {
    // Given a VM with runStrategy Always, and a watch on it
    String name = name("always");
    List<String> seen = new CopyOnWriteArrayList<>();
    try (Watch w =
        client
            .genericKubernetesResources(VIRTUAL_MACHINE.context())
            .inNamespace("default")
            .withName(name)
            .watch(recorder(seen))) {
      create(client, VIRTUAL_MACHINE, vm(name, "Always"));

      // Then it goes Provisioning → Starting → Running
      GenericKubernetesResource vm = awaitPrintable(name, "Running");
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("Running"));
      assertThat(seen.stream().filter(Objects::nonNull).distinct().toList())
          .containsSubsequence("Provisioning", "Starting", "Running");
      assertThat(text(vm, "status.ready")).isEqualTo("true");
      assertThat(text(vm, "status.created")).isEqualTo("true");
      assertThat(vm.getMetadata().getFinalizers())
          .contains("kubevirt.io/virtualMachineControllerFinalize");

      // and its VMI runs on one of the nodes, with an IP
      GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, name);
      assertThat(text(vmi, "status.phase")).isEqualTo("Running");
      assertThat(text(vmi, "status.nodeName")).isIn(sim.nodes());
      assertThat(vmi.getMetadata().getLabels())
          .containsEntry("kubevirt.io/nodeName", text(vmi, "status.nodeName"));
      String ip = text(vmi, "status.interfaces.0.ipAddress");
      assertThat(ip).matches("10\\.244\\.\\d+\\.\\d+");
      assertThat(text(vmi, "status.interfaces.0.ipAddresses.0")).isEqualTo(ip);
      assertThat(text(vmi, "status.interfaces.0.name")).isEqualTo("default");
      assertThat(vmi.getMetadata().getOwnerReferences().get(0).getUid())
          .isEqualTo(vm.getMetadata().getUid());
    }
  }

  private static Watcher<GenericKubernetesResource> recorder(List<String> printableStatuses) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
        printableStatuses.add(text(resource, "status.printableStatus"));
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  @Test
  void stopAndStartThroughTheSubresourcesKeepTheVmsIp() {
    // Given a running VM
    String name = name("power");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");
    String ip = text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "status.interfaces.0.ipAddress");

    // When it is stopped: Halted, Stopped, no VMI
    assertThat(http.vm(name, "stop").code()).isEqualTo(202);
    assertThat(text(get(client, VIRTUAL_MACHINE, name), "spec.runStrategy")).isEqualTo("Halted");
    GenericKubernetesResource stopped = awaitPrintable(name, "Stopped");
    assertThat(text(stopped, "status.ready")).isEqualTo("false");
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, name);

    // and started again: Always, Running, the same IP
    assertThat(http.vm(name, "start").code()).isEqualTo(202);
    assertThat(text(get(client, VIRTUAL_MACHINE, name), "spec.runStrategy")).isEqualTo("Always");
    awaitPrintable(name, "Running");
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "status.interfaces.0.ipAddress"))
        .isEqualTo(ip);
  }

  @Test
  void subresourcesAnswerLikeVirtApi() {
    String name = name("answers");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");

    SimHttp.Response again = http.vm(name, "start");
    assertThat(again.code()).isEqualTo(409);
    assertThat(again.json().path("reason").asText()).isEqualTo("Conflict");
    assertThat(again.json().path("message").asText())
        .isEqualTo(
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \""
                + name
                + "\": VM is already running");

    SimHttp.Response unknown = http.vm("no-such-vm", "stop");
    assertThat(unknown.code()).isEqualTo(404);
    assertThat(unknown.json().path("message").asText())
        .isEqualTo("virtualmachine.kubevirt.io \"no-such-vm\" not found");

    assertThat(
            http.get(
                    "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/"
                        + name
                        + "/vnc")
                .code())
        .isEqualTo(400);

    http.vm(name, "stop");
    awaitPrintable(name, "Stopped");
    SimHttp.Response notRunning = http.vm(name, "stop");
    assertThat(notRunning.code()).isEqualTo(409);
    assertThat(notRunning.json().path("message").asText()).endsWith("VM is not running");
    SimHttp.Response restartHalted = http.vm(name, "restart");
    assertThat(restartHalted.code()).isEqualTo(409);
    assertThat(restartHalted.json().path("message").asText())
        .endsWith("RunStategy Halted does not support manual restart requests");
    assertThat(http.vmi(name, "pause").code()).isEqualTo(404);
  }

  @Test
  void restartRecreatesTheVmi() {
    String name = name("restart");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");
    String before = get(client, VIRTUAL_MACHINE_INSTANCE, name).getMetadata().getUid();

    assertThat(http.vm(name, "restart").code()).isEqualTo(202);

    awaitObject(
        client,
        VIRTUAL_MACHINE_INSTANCE,
        name,
        vmi ->
            vmi != null
                && !vmi.getMetadata().getUid().equals(before)
                && "Running".equals(text(vmi, "status.phase")));
    GenericKubernetesResource vm = awaitPrintable(name, "Running");
    assertThat(text(vm, "status.stateChangeRequests")).isNull();
  }

  @Test
  void pauseAndUnpause() {
    String name = name("pause");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");

    assertThat(http.vmi(name, "pause").code()).isEqualTo(200);
    GenericKubernetesResource vm = awaitPrintable(name, "Paused");
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "status.conditions"))
        .contains("type=Paused", "reason=PausedByUser");
    assertThat(text(vm, "status.conditions")).contains("type=Paused");
    SimHttp.Response twice = http.vmi(name, "pause");
    assertThat(twice.code()).isEqualTo(409);
    assertThat(twice.json().path("message").asText()).endsWith("VMI is already paused");

    assertThat(http.vmi(name, "unpause").code()).isEqualTo(200);
    vm = awaitPrintable(name, "Running");
    assertThat(text(vm, "status.conditions")).doesNotContain("type=Paused");
    assertThat(http.vmi(name, "unpause").json().path("message").asText())
        .endsWith("VMI is not paused");
  }

  @Test
  void manualRunStrategyRunsOnlyOnRequest() {
    String name = name("manual");
    create(client, VIRTUAL_MACHINE, vm(name, "Manual"));
    awaitPrintable(name, "Stopped");
    assertThat(get(client, VIRTUAL_MACHINE_INSTANCE, name)).isNull();

    assertThat(http.vm(name, "start").code()).isEqualTo(202);
    awaitPrintable(name, "Running");
    assertThat(http.vm(name, "stop").code()).isEqualTo(202);
    GenericKubernetesResource vm = awaitPrintable(name, "Stopped");
    assertThat(text(vm, "spec.runStrategy")).isEqualTo("Manual");
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, name);
  }

  @Test
  void haltedVmsStayStoppedAndOnceRunsOnce() {
    String halted = name("halted");
    create(client, VIRTUAL_MACHINE, vm(halted, "Halted"));
    GenericKubernetesResource vm = awaitPrintable(halted, "Stopped");
    assertThat(text(vm, "status.created")).isEqualTo("false");

    String once = name("once");
    create(client, VIRTUAL_MACHINE, vm(once, "Once"));
    awaitPrintable(once, "Running");
    // the guest shuts down: the VMI succeeds, and is not restarted
    // (read again and retry on 409: the controller writes the VMI too)
    for (int attempt = 0; ; attempt++) {
      GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, once);
      set(vmi, "status.phase", "Succeeded");
      try {
        client
            .genericKubernetesResources(VIRTUAL_MACHINE_INSTANCE.context())
            .inNamespace("default")
            .resource(vmi)
            .update();
        break;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException conflict) {
        if (conflict.getCode() != 409 || attempt >= 20) {
          throw conflict;
        }
      }
    }
    awaitPrintable(once, "Stopped");
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, once), "status.phase"))
        .isEqualTo("Succeeded");
  }

  @Test
  void deletingAVmTerminatesItAndItsVmi() {
    String name = name("delete");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");

    client
        .genericKubernetesResources(VIRTUAL_MACHINE.context())
        .inNamespace("default")
        .withName(name)
        .delete();

    awaitGone(client, VIRTUAL_MACHINE, name);
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, name);
  }

  @Test
  void cpuChangesWhileRunningRequireARestart() {
    String name = name("reconfig");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");

    GenericKubernetesResource vm = get(client, VIRTUAL_MACHINE, name);
    KubeVirtObjects.edit(
        client, VIRTUAL_MACHINE, name, o -> set(o, "spec.template.spec.domain.cpu.cores", 4));

    awaitObject(
        client,
        VIRTUAL_MACHINE,
        name,
        o -> text(o, "status.conditions").contains("type=RestartRequired"));
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "spec.domain.cpu.cores"))
        .isEqualTo("1");

    http.vm(name, "restart");
    awaitObject(
        client,
        VIRTUAL_MACHINE_INSTANCE,
        name,
        vmi ->
            vmi != null
                && "4".equals(text(vmi, "spec.domain.cpu.cores"))
                && "Running".equals(text(vmi, "status.phase")));
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "status.currentCPUTopology.cores"))
        .isEqualTo("4");
    awaitObject(
        client,
        VIRTUAL_MACHINE,
        name,
        o -> !text(o, "status.conditions").contains("type=RestartRequired"));
    assertThat(vm.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void anInstancetypeGivesTheVmiItsCpuAndMemory() {
    // Given a cluster instancetype and a namespaced preference preferring cores
    client
        .genericKubernetesResources(KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE.context())
        .resource(
            parse(
                """
                {"apiVersion":"instancetype.kubevirt.io/v1beta1","kind":"VirtualMachineClusterInstancetype",
                 "metadata":{"name":"u1.medium"},"spec":{"cpu":{"guest":2},"memory":{"guest":"2Gi"}}}
                """))
        .create();
    String name = name("typed");
    create(client, VIRTUAL_MACHINE, withInstancetype(vm(name, "Always"), "u1.medium"));

    awaitPrintable(name, "Running");
    GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, name);
    assertThat(text(vmi, "spec.domain.cpu.sockets")).isEqualTo("2");
    assertThat(text(vmi, "spec.domain.memory.guest")).isEqualTo("2Gi");
    assertThat(text(vmi, "status.memory.guestAtBoot")).isEqualTo("2Gi");
    assertThat(
            client
                .genericKubernetesResources(
                    KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE.context())
                .list()
                .getItems())
        .extracting(i -> i.getMetadata().getName())
        .contains("u1.medium");
  }

  static GenericKubernetesResource withInstancetype(
      GenericKubernetesResource vm, String instancetype) {
    set(vm, "spec.template.spec.domain.cpu", null);
    set(vm, "spec.template.spec.domain.resources", null);
    return set(
        vm,
        "spec.instancetype",
        java.util.Map.of("kind", "VirtualMachineClusterInstancetype", "name", instancetype));
  }
}
