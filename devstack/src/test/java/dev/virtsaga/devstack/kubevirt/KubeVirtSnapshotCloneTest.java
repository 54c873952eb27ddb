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
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_CLONE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_RESTORE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT_CONTENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots, restores and clones, as KubeVirt's snapshot, restore and clone controllers do them.
 */
class KubeVirtSnapshotCloneTest {

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

  static GenericKubernetesResource snapshot(String name, String vm) {
    return parse(
        """
        {"apiVersion":"snapshot.kubevirt.io/v1beta1","kind":"VirtualMachineSnapshot",
         "metadata":{"name":"%s"},
         "spec":{"source":{"apiGroup":"kubevirt.io","kind":"VirtualMachine","name":"%s"}}}
        """
            .formatted(name, vm));
  }

  static GenericKubernetesResource restore(String name, String vm, String snapshot, String policy) {
    GenericKubernetesResource r =
        parse(
            """
            {"apiVersion":"snapshot.kubevirt.io/v1beta1","kind":"VirtualMachineRestore",
             "metadata":{"name":"%s"},
             "spec":{"target":{"apiGroup":"kubevirt.io","kind":"VirtualMachine","name":"%s"},
                     "virtualMachineSnapshotName":"%s"}}
            """
                .formatted(name, vm, snapshot));
    return policy == null ? r : set(r, "spec.targetReadinessPolicy", policy);
  }

  static GenericKubernetesResource clone(String name, String kind, String source, String target) {
    String group = kind.equals("VirtualMachine") ? "kubevirt.io" : "snapshot.kubevirt.io";
    GenericKubernetesResource c =
        parse(
            """
            {"apiVersion":"clone.kubevirt.io/v1beta1","kind":"VirtualMachineClone",
             "metadata":{"name":"%s"},
             "spec":{"source":{"apiGroup":"%s","kind":"%s","name":"%s"}}}
            """
                .formatted(name, group, kind, source));
    if (target != null) {
      set(
          c,
          "spec.target",
          Map.of("apiGroup", "kubevirt.io", "kind", "VirtualMachine", "name", target));
    }
    return c;
  }

  private static String runningVm() {
    String name = name("src");
    GenericKubernetesResource vm = vm(name, "Always");
    set(
        vm,
        "spec.template.spec.domain.devices.interfaces",
        List.of(
            Map.of("name", "default", "masquerade", Map.of(), "macAddress", "02:00:00:00:00:01")));
    create(client, VIRTUAL_MACHINE, vm);
    awaitField(client, VIRTUAL_MACHINE, name, "status.printableStatus", "Running");
    return name;
  }

  private static GenericKubernetesResource snapshotDone(String vm) {
    String snap = name("snap");
    create(client, VIRTUAL_MACHINE_SNAPSHOT, snapshot(snap, vm));
    return awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, snap, "status.phase", "Succeeded");
  }

  @Test
  void aSnapshotOfARunningVmCompletesWithItsContent() {
    // Given a running VM
    String vm = runningVm();
    String uid = get(client, VIRTUAL_MACHINE, vm).getMetadata().getUid();

    // When it is snapshotted: InProgress (the VM says so), then Succeeded
    String snap = name("snap");
    create(client, VIRTUAL_MACHINE_SNAPSHOT, snapshot(snap, vm));
    awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, snap, "status.phase", "InProgress");
    assertThat(text(get(client, VIRTUAL_MACHINE, vm), "status.snapshotInProgress")).isEqualTo(snap);
    GenericKubernetesResource done =
        awaitField(client, VIRTUAL_MACHINE_SNAPSHOT, snap, "status.phase", "Succeeded");

    // Then it is ready, names its content, which holds the VM
    assertThat(text(done, "status.readyToUse")).isEqualTo("true");
    assertThat(text(done, "status.sourceUID")).isEqualTo(uid);
    assertThat(text(done, "status.creationTime")).isNotBlank();
    assertThat(text(done, "status.indications")).contains("Online");
    assertThat(text(done, "status.conditions")).contains("type=Ready, status=True");
    String contentName = text(done, "status.virtualMachineSnapshotContentName");
    GenericKubernetesResource content = get(client, VIRTUAL_MACHINE_SNAPSHOT_CONTENT, contentName);
    assertThat(text(content, "spec.source.virtualMachine.metadata.name")).isEqualTo(vm);
    assertThat(text(content, "spec.source.virtualMachine.spec.template.spec.domain.cpu.cores"))
        .isEqualTo("1");
    assertThat(text(content, "spec.volumeBackups.0.volumeName")).isEqualTo("rootdisk");
    assertThat(text(content, "status.readyToUse")).isEqualTo("true");
    awaitObject(client, VIRTUAL_MACHINE, vm, o -> text(o, "status.snapshotInProgress") == null);

    // and deleting the snapshot deletes its content
    client
        .genericKubernetesResources(VIRTUAL_MACHINE_SNAPSHOT.context())
        .inNamespace("default")
        .withName(snap)
        .delete();
    awaitGone(client, VIRTUAL_MACHINE_SNAPSHOT, snap);
    awaitGone(client, VIRTUAL_MACHINE_SNAPSHOT_CONTENT, contentName);
  }

  @Test
  void aRestoreOfAStoppedVmBringsBackItsSpec() {
    // Given a snapshot of a VM with 1 core, then the VM stopped and changed to 4 cores
    String vm = runningVm();
    String snap = text(snapshotDone(vm), "metadata.name");
    http.vm(vm, "stop");
    awaitField(client, VIRTUAL_MACHINE, vm, "status.printableStatus", "Stopped");
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE, vm);
    KubeVirtObjects.edit(
        client, VIRTUAL_MACHINE, vm, o -> set(o, "spec.template.spec.domain.cpu.cores", 4));

    // When it is restored
    String restore = name("restore");
    create(client, VIRTUAL_MACHINE_RESTORE, restore(restore, vm, snap, null));
    GenericKubernetesResource done =
        awaitField(client, VIRTUAL_MACHINE_RESTORE, restore, "status.complete", "true");

    // Then the VM has the snapshot's spec again, and stays stopped
    assertThat(text(done, "status.restoreTime")).isNotBlank();
    assertThat(text(done, "status.conditions")).contains("type=Ready, status=True");
    GenericKubernetesResource restored = get(client, VIRTUAL_MACHINE, vm);
    assertThat(text(restored, "spec.template.spec.domain.cpu.cores")).isEqualTo("1");
    assertThat(text(restored, "spec.runStrategy")).isEqualTo("Halted");
    assertThat(restored.getMetadata().getAnnotations())
        .containsEntry(
            "restore.kubevirt.io/lastRestoreUID", restore + "-" + done.getMetadata().getUid());
    awaitObject(client, VIRTUAL_MACHINE, vm, o -> text(o, "status.restoreInProgress") == null);
    assertThat(text(get(client, VIRTUAL_MACHINE, vm), "status.printableStatus"))
        .isEqualTo("Stopped");
  }

  @Test
  void aRestoreOfARunningVmFailsOrStopsItPerItsPolicy() {
    String vm = runningVm();
    String snap = text(snapshotDone(vm), "metadata.name");

    // FailImmediate: fails, says why, the VM runs on
    String failing = name("restore");
    create(client, VIRTUAL_MACHINE_RESTORE, restore(failing, vm, snap, "FailImmediate"));
    GenericKubernetesResource failed =
        awaitObject(
            client,
            VIRTUAL_MACHINE_RESTORE,
            failing,
            r -> r != null && text(r, "status.conditions").contains("type=Failure, status=True"));
    assertThat(text(failed, "status.conditions")).contains("reason=Restore target not ready");
    assertThat(text(failed, "status.complete")).isEqualTo("false");
    assertThat(text(get(client, VIRTUAL_MACHINE, vm), "status.printableStatus"))
        .isEqualTo("Running");
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(
            e ->
                failing.equals(e.getInvolvedObject().getName())
                    && "RestoreTargetNotReady".equals(e.getReason()));

    // StopTarget: stops the VM, then restores
    String stopping = name("restore");
    create(client, VIRTUAL_MACHINE_RESTORE, restore(stopping, vm, snap, "StopTarget"));
    awaitField(client, VIRTUAL_MACHINE_RESTORE, stopping, "status.complete", "true");
    assertThat(text(get(client, VIRTUAL_MACHINE, vm), "spec.runStrategy")).isEqualTo("Halted");
  }

  @Test
  void aCloneOfAVmCreatesTheTargetVmStopped() {
    // Given a running VM with labels and a fixed MAC
    String source = runningVm();
    String target = name("copy");

    // When it is cloned
    String clone = name("clone");
    create(client, VIRTUAL_MACHINE_CLONE, clone(clone, "VirtualMachine", source, target));
    awaitField(client, VIRTUAL_MACHINE_CLONE, clone, "status.phase", "SnapshotInProgress");
    GenericKubernetesResource done =
        awaitField(client, VIRTUAL_MACHINE_CLONE, clone, "status.phase", "Succeeded");

    // Then the target exists, halted, with the source's labels and without its MAC
    assertThat(text(done, "status.targetName")).isEqualTo(target);
    assertThat(text(done, "status.conditions")).contains("type=Ready, status=True");
    GenericKubernetesResource copy = get(client, VIRTUAL_MACHINE, target);
    assertThat(text(copy, "spec.runStrategy")).isEqualTo("Halted");
    assertThat(copy.getMetadata().getLabels()).containsEntry("team", "blue");
    assertThat(text(copy, "spec.template.spec.domain.devices.interfaces.0.macAddress")).isNull();
    awaitField(client, VIRTUAL_MACHINE, target, "status.printableStatus", "Stopped");
    // and the temporary snapshot and restore are gone, the source still runs
    String uid = done.getMetadata().getUid();
    awaitGone(client, VIRTUAL_MACHINE_SNAPSHOT, "tmp-snapshot-" + uid);
    awaitGone(client, VIRTUAL_MACHINE_RESTORE, "tmp-restore-" + uid);
    assertThat(text(get(client, VIRTUAL_MACHINE, source), "status.printableStatus"))
        .isEqualTo("Running");

    // and deleting the clone's VM deletes the clone, as KubeVirt does
    client
        .genericKubernetesResources(VIRTUAL_MACHINE.context())
        .inNamespace("default")
        .withName(target)
        .delete();
    awaitGone(client, VIRTUAL_MACHINE_CLONE, clone);
  }

  @Test
  void aCloneOfASnapshotCreatesTheTargetVm() {
    String source = runningVm();
    String snap = text(snapshotDone(source), "metadata.name");

    String clone = name("clone");
    create(client, VIRTUAL_MACHINE_CLONE, clone(clone, "VirtualMachineSnapshot", snap, null));
    String target = text(get(client, VIRTUAL_MACHINE_CLONE, clone), "spec.target.name");
    assertThat(target).startsWith("clone-" + snap + "-");
    awaitField(client, VIRTUAL_MACHINE_CLONE, clone, "status.phase", "Succeeded");
    assertThat(get(client, VIRTUAL_MACHINE, target)).isNotNull();
    assertThat(get(client, VIRTUAL_MACHINE_SNAPSHOT, snap))
        .as("the source snapshot stays")
        .isNotNull();
  }

  @Test
  void aCloneFromAMissingSourceIsRefused() {
    int code =
        http.send(
                "POST",
                "/apis/clone.kubevirt.io/v1beta1/namespaces/default/virtualmachineclones",
                io.fabric8.kubernetes.client.utils.Serialization.asJson(
                    clone(name("clone"), "VirtualMachine", "no-such-vm", null)))
            .code();
    assertThat(code).isEqualTo(422);
  }
}
