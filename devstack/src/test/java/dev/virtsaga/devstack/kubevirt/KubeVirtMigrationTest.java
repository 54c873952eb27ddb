package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitField;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.awaitGone;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.create;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.get;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.name;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.parse;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.set;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.text;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.vm;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Live migration: phases, the VMI's migrationState, aborts by deletion. */
class KubeVirtMigrationTest {

  static KubeVirtSimulator sim;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    sim = KubeVirtSimulator.builder().stepDelay(Duration.ofMillis(50)).build().start();
    client = sim.newClient();
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

  static GenericKubernetesResource migration(String name, String vmi) {
    return parse(
        """
        {"apiVersion":"kubevirt.io/v1","kind":"VirtualMachineInstanceMigration",
         "metadata":{"name":"%s"},"spec":{"vmiName":"%s"}}
        """
            .formatted(name, vmi));
  }

  private static String runningVm() {
    String name = name("mig");
    create(client, VIRTUAL_MACHINE, vm(name, "Always"));
    awaitField(client, VIRTUAL_MACHINE, name, "status.printableStatus", "Running");
    return name;
  }

  @Test
  void aMigrationMovesTheVmiToAnotherNode() {
    // Given a running VM, and its migration held while it runs
    String vm = runningVm();
    String source = text(get(client, VIRTUAL_MACHINE_INSTANCE, vm), "status.nodeName");
    String mig = name("vmim");
    sim.faults().stall(Operation.MIGRATION, mig);
    create(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(mig, vm));

    // Then it runs: the VM is Migrating, the VMI's migrationState names both nodes
    awaitField(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig, "status.phase", "Running");
    awaitField(client, VIRTUAL_MACHINE, vm, "status.printableStatus", "Migrating");
    GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, vm);
    assertThat(text(vmi, "status.migrationState.sourceNode")).isEqualTo(source);
    String target = text(vmi, "status.migrationState.targetNode");
    assertThat(target).isIn(sim.nodes()).isNotEqualTo(source);
    assertThat(text(vmi, "status.migrationState.startTimestamp")).isNotBlank();
    assertThat(text(vmi, "status.migrationState.completed")).isEqualTo("false");

    // When it is let go: Succeeded, the VMI on the target node
    sim.faults().clear(Operation.MIGRATION, mig);
    GenericKubernetesResource done =
        awaitField(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig, "status.phase", "Succeeded");
    vmi = get(client, VIRTUAL_MACHINE_INSTANCE, vm);
    assertThat(text(vmi, "status.nodeName")).isEqualTo(target);
    assertThat(vmi.getMetadata().getLabels()).containsEntry("kubevirt.io/nodeName", target);
    assertThat(text(vmi, "status.migrationState.completed")).isEqualTo("true");
    assertThat(text(vmi, "status.migrationState.failed")).isEqualTo("false");
    assertThat(text(vmi, "status.migrationState.endTimestamp")).isNotBlank();
    assertThat(text(done, "status.migrationState.targetNode")).isEqualTo(target);
    assertThat(text(done, "status.phaseTransitionTimestamps"))
        .contains(
            "Pending",
            "Scheduling",
            "Scheduled",
            "PreparingTarget",
            "TargetReady",
            "Running",
            "Succeeded");
    assertThat(done.getMetadata().getLabels()).containsEntry("kubevirt.io/vmi-name", vm);
    awaitField(client, VIRTUAL_MACHINE, vm, "status.printableStatus", "Running");
  }

  @Test
  void deletingARunningMigrationAbortsIt() {
    // Given a migration stalled while it runs
    String vm = runningVm();
    String source = text(get(client, VIRTUAL_MACHINE_INSTANCE, vm), "status.nodeName");
    String mig = name("vmim");
    sim.faults().stall(Operation.MIGRATION, vm);
    create(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(mig, vm));
    awaitField(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig, "status.phase", "Running");

    // When it is deleted
    client
        .genericKubernetesResources(VIRTUAL_MACHINE_INSTANCE_MIGRATION.context())
        .inNamespace("default")
        .withName(mig)
        .delete();

    // Then it is aborted: the VMI stays on its node, the migration is gone
    awaitGone(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig);
    GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, vm);
    assertThat(text(vmi, "status.migrationState.abortStatus")).isEqualTo("Succeeded");
    assertThat(text(vmi, "status.migrationState.abortRequested")).isEqualTo("true");
    assertThat(text(vmi, "status.migrationState.completed")).isEqualTo("true");
    assertThat(text(vmi, "status.migrationState.failed")).isEqualTo("true");
    assertThat(text(vmi, "status.nodeName")).isEqualTo(source);
    awaitField(client, VIRTUAL_MACHINE, vm, "status.printableStatus", "Running");
  }

  @Test
  void aFailedMigrationLeavesTheVmiWhereItWas() {
    String vm = runningVm();
    String source = text(get(client, VIRTUAL_MACHINE_INSTANCE, vm), "status.nodeName");
    String mig = name("vmim");
    sim.faults().fail(Operation.MIGRATION, mig, "target node lost");
    create(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(mig, vm));

    GenericKubernetesResource failed =
        awaitField(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig, "status.phase", "Failed");
    assertThat(text(failed, "status.conditions")).contains("target node lost");
    GenericKubernetesResource vmi = get(client, VIRTUAL_MACHINE_INSTANCE, vm);
    assertThat(text(vmi, "status.nodeName")).isEqualTo(source);
    assertThat(text(vmi, "status.migrationState.failed")).isEqualTo("true");
    assertThat(text(vmi, "status.migrationState.failureReason")).isEqualTo("target node lost");
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .anyMatch(
            e ->
                mig.equals(e.getInvolvedObject().getName())
                    && "FailedMigration".equals(e.getReason()));
  }

  @Test
  void aMigrationCanAskForItsTargetNode() {
    String vm = runningVm();
    String source = text(get(client, VIRTUAL_MACHINE_INSTANCE, vm), "status.nodeName");
    String wanted =
        sim.nodes().stream().filter(n -> !n.equals(source)).reduce((a, b) -> b).orElseThrow();
    String mig = name("vmim");
    create(
        client,
        VIRTUAL_MACHINE_INSTANCE_MIGRATION,
        set(
            migration(mig, vm),
            "spec.addedNodeSelector",
            Map.of("kubernetes.io/hostname", wanted)));
    awaitField(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, mig, "status.phase", "Succeeded");
    assertThat(text(get(client, VIRTUAL_MACHINE_INSTANCE, vm), "status.nodeName"))
        .isEqualTo(wanted);
  }

  @Test
  void onlyRunningVmisMigrateAndOneAtATime() {
    String stopped = name("mig");
    create(client, VIRTUAL_MACHINE, vm(stopped, "Halted"));
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                create(
                    client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(name("vmim"), stopped)));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage()).contains("migration-create-validator.kubevirt.io");

    String vm = runningVm();
    sim.faults().stall(Operation.MIGRATION, vm, "Scheduling");
    create(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(name("vmim"), vm));
    KubernetesClientException second =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> create(client, VIRTUAL_MACHINE_INSTANCE_MIGRATION, migration(name("vmim"), vm)));
    assertThat(second.getCode()).isEqualTo(422);
    assertThat(second.getStatus().getMessage()).contains("in-flight migration detected");
  }

  @Test
  void theMigrateSubresourceCreatesAMigration() {
    String vm = runningVm();
    assertThat(new SimHttp(sim).vm(vm, "migrate").code()).isEqualTo(202);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client
                    .genericKubernetesResources(VIRTUAL_MACHINE_INSTANCE_MIGRATION.context())
                    .inNamespace("default")
                    .list()
                    .getItems()
                    .stream()
                    .anyMatch(
                        m ->
                            vm.equals(text(m, "spec.vmiName"))
                                && m.getMetadata().getName().startsWith("kubevirt-migrate-vm-")
                                && "Succeeded".equals(text(m, "status.phase"))));
  }
}
