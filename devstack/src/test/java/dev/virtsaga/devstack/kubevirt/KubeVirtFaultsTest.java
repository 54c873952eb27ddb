package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitField;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitGone;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitObject;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.create;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.get;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.name;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.text;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.vm;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_CLONE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_RESTORE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.StartFailure;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Injected failures and stalls show as KubeVirt shows them, and end when cleared. */
class KubeVirtFaultsTest {

  static KubeVirtSimulator sim;
  static KubernetesClient client;
  static SimHttp http;

  @BeforeAll
  static void start() {
    sim = KubeVirtSimulator.builder().stepDelay(Duration.ofMillis(50)).build().start();
    client = sim.newClient();
    http = new SimHttp(sim);
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  @AfterEach
  void clearFaults() {
    sim.faults().clear();
  }

  private static GenericKubernetesResource awaitPrintable(String name, String printableStatus) {
    return awaitField(client, VIRTUAL_MACHINE, name, "status.printableStatus", printableStatus);
  }

  private static String runningVm() {
    String name = name("vm");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Running");
    return name;
  }

  @Test
  void anUnschedulableStartIsErrorUnschedulableUntilCleared() {
    String name = name("unsched");
    sim.faults().failStart(name, StartFailure.UNSCHEDULABLE);
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));

    GenericKubernetesResource vm = awaitPrintable(name, "ErrorUnschedulable");
    assertThat(text(vm, "status.conditions")).contains("type=PodScheduled", "reason=Unschedulable");
    GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, name);
    assertThat(text(vmi, "status.phase")).isEqualTo("Scheduling");
    assertThat(text(vmi, "status.conditions")).contains("0/3 nodes are available");

    sim.faults().clear(Operation.START, name);
    vm = awaitPrintable(name, "Running");
    assertThat(text(vm, "status.conditions")).doesNotContain("PodScheduled");
  }

  @Test
  void aCrashingStartIsCrashLoopBackOffUntilCleared() {
    String name = name("crash");
    sim.faults().failStart(name, StartFailure.CRASH_LOOP);
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));

    GenericKubernetesResource vm = awaitPrintable(name, "CrashLoopBackOff");
    assertThat(text(vm, "status.startFailure.consecutiveFailCount")).isNotNull();
    assertThat(text(vm, "status.startFailure.retryAfterTimestamp")).isNotNull();

    sim.faults().clear(Operation.START, name);
    vm = awaitPrintable(name, "Running");
    assertThat(text(vm, "status.startFailure")).isNull();
  }

  @Test
  void aStalledStartStaysStartingOrProvisioning() {
    String name = name("slow");
    sim.faults().stall(Operation.START, name);
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitPrintable(name, "Starting");
    awaitField(client, VIRTUAL_MACHINE_INSTANCE, name, "status.phase", "Scheduling");
    assertThat(text(get(client, VIRTUAL_MACHINE, name), "status.printableStatus"))
        .isEqualTo("Starting");

    String early = name("slower");
    sim.faults().stall(Operation.START, early, "Provisioning");
    create(client, VIRTUAL_MACHINE, vm(early, "Always"));
    awaitPrintable(early, "Provisioning");
    assertThat(get(client, VIRTUAL_MACHINE_INSTANCE, early)).isNull();

    sim.faults().clear(Operation.START);
    awaitPrintable(name, "Running");
    awaitPrintable(early, "Running");
  }

  @Test
  void aFailedStopLeavesTheVmRunningWithAFailureCondition() {
    String name = runningVm();
    sim.faults().fail(Operation.STOP, name);

    http.vm(name, "stop");
    GenericKubernetesResource vm =
        awaitObject(
            client,
            VIRTUAL_MACHINE,
            name,
            o -> text(o, "status.conditions").contains("type=Failure"));
    assertThat(text(vm, "status.conditions")).contains("reason=FailedDelete");
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, name), "status.phase"))
        .isEqualTo("Running");

    sim.faults().clear(Operation.STOP, name);
    vm = awaitPrintable(name, "Stopped");
    assertThat(text(vm, "status.conditions")).doesNotContain("type=Failure");
  }

  @Test
  void aStalledStopStaysStopping() {
    String name = runningVm();
    sim.faults().stall(Operation.STOP, name);
    http.vm(name, "stop");
    awaitPrintable(name, "Stopping");
    assertThat(get(client, VIRTUAL_MACHINE_INSTANCE, name).getMetadata().getDeletionTimestamp())
        .isNotNull();

    sim.faults().clear(Operation.STOP, name);
    awaitPrintable(name, "Stopped");
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, name);
  }

  @Test
  void snapshotsRestoresAndClonesFailOrStall() {
    String vm = runningVm();
    // a failed snapshot
    sim.faults().fail(Operation.SNAPSHOT, vm, "disk is read-only");
    String failed = name("snap");
    create(client, VIRTUAL_MACHINE_SNAPSHOT, KubeVirtSnapshotCloneTest.snapshot(failed, vm));
    GenericKubernetesResource snap =
        awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, failed, "status.phase", "Failed");
    assertThat(text(snap, "status.error.message")).isEqualTo("disk is read-only");
    assertThat(text(snap, "status.readyToUse")).isEqualTo("false");
    awaitObject(client, VIRTUAL_MACHINE, vm, o -> text(o, "status.snapshotInProgress") == null);

    // a stalled one stays in progress, then completes
    sim.faults().stall(Operation.SNAPSHOT, vm);
    String slow = name("snap");
    create(client, VIRTUAL_MACHINE_SNAPSHOT, KubeVirtSnapshotCloneTest.snapshot(slow, vm));
    awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, slow, "status.phase", "InProgress");
    sim.faults().clear(Operation.SNAPSHOT);
    awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, slow, "status.phase", "Succeeded");

    // a failed clone
    String clone = name("clone");
    sim.faults().fail(Operation.CLONE, clone);
    create(
        client,
        VIRTUAL_MACHINE_CLONE,
        KubeVirtSnapshotCloneTest.clone(clone, "VirtualMachine", vm, null));
    GenericKubernetesResource c =
        awaitField(client, VIRTUAL_MACHINE_CLONE, clone, "status.phase", "Failed");
    assertThat(text(c, "status.conditions")).contains("type=Ready, status=False");

    // a failed restore (of a stopped VM)
    http.vm(vm, "stop");
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, vm);
    String restore = name("restore");
    sim.faults().fail(Operation.RESTORE, vm, "volume restore failed");
    create(
        client,
        VIRTUAL_MACHINE_RESTORE,
        KubeVirtSnapshotCloneTest.restore(restore, vm, slow, null));
    GenericKubernetesResource r =
        awaitObject(
            client,
            VIRTUAL_MACHINE_RESTORE,
            restore,
            o -> text(o, "status.conditions").contains("type=Failure, status=True"));
    assertThat(text(r, "status.conditions")).contains("reason=volume restore failed");
    assertThat(text(r, "status.complete")).isEqualTo("false");
  }

  @Test
  void theStepDelayCanChange() {
    sim.faults().stepDelay(Duration.ofMillis(10));
    assertThat(sim.faults().stepDelay()).isEqualTo(Duration.ofMillis(10));
    runningVm();
    sim.faults().stepDelay(Duration.ofMillis(50));
  }

  @Test
  void anUnavailableApiAnswers503ToClients() {
    sim.faults().unavailable();
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                client
                    .genericKubernetesResources(VIRTUAL_MACHINE.context())
                    .inNamespace("default")
                    .list());
    assertThat(e.getCode()).isEqualTo(503);
    assertThat(e.getStatus().getReason()).isEqualTo("ServiceUnavailable");
    // the inspection client and the controller are not affected
    assertThat(
            sim.client()
                .genericKubernetesResources(VIRTUAL_MACHINE.context())
                .inNamespace("default")
                .list())
        .isNotNull();

    sim.faults().available();
    assertThat(
            client
                .genericKubernetesResources(VIRTUAL_MACHINE.context())
                .inNamespace("default")
                .list())
        .isNotNull();
  }

  @Test
  void anUnresponsiveApiDoesNotAnswer() {
    sim.faults().unresponsive();
    Throwable t =
        catchThrowable(() -> http.send("GET", "/api/v1/nodes", null, Duration.ofMillis(500)));
    assertThat(t).hasRootCauseInstanceOf(HttpTimeoutException.class);

    sim.faults().available();
    assertThat(http.get("/api/v1/nodes").code()).isEqualTo(200);
  }
}
