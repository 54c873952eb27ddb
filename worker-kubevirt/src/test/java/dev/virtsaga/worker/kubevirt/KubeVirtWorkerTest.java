package dev.virtsaga.worker.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.worker.core.testing.TaskDriver;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring on a real Kafka broker and the KubeVirt simulator: the test plays the
 * orchestrator (publishes tasks, reads task events) and reads the objects back from the Kubernetes
 * API.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(KubeVirtSimulatorResource.class)
class KubeVirtWorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ResourceDefinitionContext VMS =
      new ResourceDefinitionContext.Builder()
          .withGroup("kubevirt.io")
          .withVersion("v1")
          .withKind("VirtualMachine")
          .withPlural("virtualmachines")
          .withNamespaced(true)
          .build();

  private static EventRecorder recorder;
  private static EventPublisher publisher;
  private static TaskDriver tasks;

  @BeforeAll
  static void connect() {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder = EventRecorder.start(kafka, List.of(Topics.TASK_EVENTS), false);
    publisher = new EventPublisher(kafka);
    tasks = new TaskDriver(publisher, recorder, "kubevirt", WAIT);
  }

  @AfterAll
  static void disconnect() {
    recorder.close();
    publisher.close();
  }

  @Test
  void aVmIsCreatedStartedWithAnIpAndDeletedThroughKafka() {
    // Given
    String vmId = newVmId();

    // When: create, twice (a redelivery)
    TaskEvent created = tasks.run(task(vmId, TaskAction.CREATE, "op-create", null, Map.of()));
    TaskEvent again = tasks.run(task(vmId, TaskAction.CREATE, "op-create-2", null, Map.of()));

    // Then: one VirtualMachine, Halted, labelled with the vmId
    assertThat(again.providerRef()).isEqualTo(created.providerRef());
    GenericKubernetesResource vm = vm(created.providerRef());
    assertThat(vm.getMetadata().getLabels()).containsEntry("virtsaga.dev/vm-id", vmId);
    assertThat(vm.get("spec").toString()).contains("runStrategy=Halted");
    assertThat(created.power()).isEqualTo(PowerState.OFF);

    // When: start
    TaskEvent on = tasks.run(task(vmId, TaskAction.POWER_ON, "op-on", created.providerRef(), null));

    // Then: running, with the VMI's address
    assertThat(on.power()).isEqualTo(PowerState.ON);
    assertThat(on.ips()).isNotEmpty();

    // When: delete
    TaskEvent deleted =
        tasks.run(task(vmId, TaskAction.DELETE, "op-delete", created.providerRef(), null));

    // Then
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(vm(created.providerRef())).isNull();
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void aSpecTheApiRefusesFailsOnceAsInvalid() {
    // Given an instancetype the cluster does not have
    String vmId = newVmId();
    TaskRequested create =
        task(
            vmId,
            TaskAction.CREATE,
            "op-bad",
            null,
            Map.of("kubevirt.virtsaga.dev/instancetype", "no-such-type"));

    // When
    tasks.publish(create);
    TaskEvent failed = tasks.awaitFinal(create);

    // Then
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(failed.error().retryable()).isFalse();
    assertThat(failed.error().message()).contains("no-such-type");
    assertThat(tasks.statusesOf(vmId)).containsExactly(TaskStatus.ACCEPTED, TaskStatus.FAILED);
  }

  @Test
  void theWorkerDeclaresWhatTheClusterServesAndItsNodes() {
    try (EventRecorder statuses =
        EventRecorder.start(
            KafkaTestResource.bootstrapServers(), List.of(Topics.PROVIDERS), true)) {
      ProviderStatus status =
          await()
              .atMost(WAIT)
              .until(() -> statuses.payloads("kubevirt", ProviderStatus.class), l -> !l.isEmpty())
              .get(0);
      assertThat(status.health()).isEqualTo(ProviderHealth.HEALTHY);
      assertThat(status.capabilities())
          .contains("SNAPSHOTS", "CLONE", "MIGRATION", "CONSOLE", "WATCH", "RECONFIGURE")
          .doesNotContain("DISKS", "DISK_EXPORT_IMPORT");
      assertThat(status.hosts()).containsExactly("node-a", "node-b", "node-c");
      for (var e : statuses.events(r -> "kubevirt".equals(r.key()))) {
        assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty();
      }
    }
  }

  private static GenericKubernetesResource vm(String name) {
    return KubeVirtSimulatorResource.sim
        .client()
        .genericKubernetesResources(VMS)
        .inNamespace(KubeVirtSimulatorResource.sim.namespace())
        .withName(name)
        .get();
  }

  private static String newVmId() {
    return UUID.randomUUID().toString();
  }

  private static TaskRequested task(
      String vmId,
      TaskAction action,
      String operation,
      String providerRef,
      Map<String, String> labels) {
    String operationId = operation + "-" + vmId;
    String step = action.name().toLowerCase();
    return new TaskRequested(
        UUID.randomUUID().toString(),
        operationId,
        vmId,
        "kubevirt",
        step,
        action,
        1,
        operationId + ":" + step,
        Instant.now().plusSeconds(60),
        action == TaskAction.CREATE
            ? new VmSpec("worker-test", "kubevirt", 1, 256, 0, null, labels)
            : null,
        providerRef);
  }
}
