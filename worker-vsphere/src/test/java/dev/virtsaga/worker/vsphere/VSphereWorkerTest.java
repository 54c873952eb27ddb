package dev.virtsaga.worker.vsphere;

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
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.vsphere.ManagedObjectReference;
import dev.virtsaga.providers.vsphere.VimClient;
import dev.virtsaga.providers.vsphere.VimSettings;
import dev.virtsaga.worker.core.testing.TaskDriver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring on a real Kafka broker and vcsim: the test plays the orchestrator (publishes
 * tasks, reads task events) and looks at the simulated vCenter through a vim25 session of its own.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(VcsimResource.class)
class VSphereWorkerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static EventRecorder recorder;
  private static EventPublisher publisher;
  private static TaskDriver tasks;
  private static VimClient admin;

  @ConfigProperty(name = "virtsaga.vsphere.sdk-url")
  URI sdkUrl;

  @ConfigProperty(name = "virtsaga.vsphere.username")
  String username;

  @ConfigProperty(name = "virtsaga.vsphere.password")
  String password;

  @Inject Vertx vertx;

  @Inject Provider provider;

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @BeforeAll
  static void connect() {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder = EventRecorder.start(kafka, List.of(Topics.TASK_EVENTS), false);
    publisher = new EventPublisher(kafka);
    tasks = new TaskDriver(publisher, recorder, "vsphere", WAIT);
  }

  @AfterAll
  static void disconnect() {
    recorder.close();
    publisher.close();
    if (admin != null) {
      admin.close();
    }
  }

  @Test
  void aCreateTaskClonesOneTaggedVmAndTheVmLivesOn() {
    // Given
    String vmId = newVmId();

    // When: create (no image: the configured default template)
    TaskEvent created = tasks.run(task(vmId, TaskAction.CREATE, "op-create", null, null));

    // Then: SUCCEEDED with the VM's MoRef, stopped; the clone is in the VM folder under its name
    assertThat(created.providerRef()).startsWith("vm-");
    assertThat(created.power()).isEqualTo(PowerState.OFF);
    assertThat(vmOf(vmId)).map(ManagedObjectReference::value).contains(created.providerRef());

    // When: the same VM is created again (another operation after a lost reply)
    TaskEvent again = tasks.run(task(vmId, TaskAction.CREATE, "op-create-again", null, null));

    // Then: the same VM
    assertThat(again.providerRef()).isEqualTo(created.providerRef());

    // When: power on
    TaskEvent on =
        tasks.run(task(vmId, TaskAction.POWER_ON, "op-start", created.providerRef(), null));

    // Then
    assertThat(on.power()).isEqualTo(PowerState.ON);
    assertThat(powerStateOf(vmOf(vmId).orElseThrow())).isEqualTo("poweredOn");

    // When: delete (of a running VM)
    TaskEvent deleted =
        tasks.run(task(vmId, TaskAction.DELETE, "op-delete", created.providerRef(), null));

    // Then: gone from vCenter
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(vmOf(vmId)).isEmpty();

    assertThat(tasks.statusesOf(vmId))
        .containsExactly(
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED);
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void anUnknownImageFailsTheCreateAsInvalidWithoutARetry() {
    // Given
    String vmId = newVmId();
    TaskRequested create = task(vmId, TaskAction.CREATE, "op-bad-image", null, "no-such-template");

    // When
    tasks.publish(create);
    TaskEvent failed = tasks.awaitFinal(create);

    // Then
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(failed.error().retryable()).isFalse();
    assertThat(failed.error().message()).contains("no-such-template");
    assertThat(tasks.statusesOf(vmId)).containsExactly(TaskStatus.ACCEPTED, TaskStatus.FAILED);
    assertThat(vmOf(vmId)).isEmpty();
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void aTaskRunsOnTheHostItNamesThroughTheOneSessionAndAnUnknownHostIsInvalid() {
    // Given a VM made on the default host
    String vmId = newVmId();
    String ref = tasks.run(task(vmId, TaskAction.CREATE, "op-create", null, null)).providerRef();

    // When: a task names another host of the cluster
    TaskEvent on =
        tasks.run(onHost(task(vmId, TaskAction.POWER_ON, "op-start", ref, null), "DC0_C0_H2"));

    // Then
    assertThat(on.power()).isEqualTo(PowerState.ON);

    // When: a task names a host the worker does not reach
    TaskRequested elsewhere =
        onHost(task(vmId, TaskAction.POWER_OFF, "op-stop", ref, null), "DC0_C0_H9");
    tasks.publish(elsewhere);
    TaskEvent failed = tasks.awaitFinal(elsewhere);

    // Then
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(failed.error().message()).contains("DC0_C0_H9");
    tasks.run(task(vmId, TaskAction.DELETE, "op-delete", ref, null));
    assertThat(vmOf(vmId)).isEmpty();
  }

  @Test
  void readinessIncludesTheVCenter() throws Exception {
    // When
    HttpResponse<String> ready =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());

    // Then
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"provider-vsphere\"").contains("\"UP\"");
  }

  @Test
  void theWorkerDeclaresWhatVSphereCanDoAndTheClustersHosts() {
    // Given the provider status topic read from the beginning (compacted, keyed by provider)
    try (EventRecorder statuses =
        EventRecorder.start(
            KafkaTestResource.bootstrapServers(), List.of(Topics.PROVIDERS), true)) {
      // Then
      ProviderStatus status =
          await()
              .atMost(WAIT)
              .until(() -> statuses.payloads("vsphere", ProviderStatus.class), l -> !l.isEmpty())
              .get(0);
      assertThat(status.provider()).isEqualTo("vsphere");
      assertThat(status.health()).isEqualTo(ProviderHealth.HEALTHY);
      // what the adapter declares (at least the core power operations), nothing more
      assertThat(status.capabilities())
          .contains("GRACEFUL_SHUTDOWN", "REBOOT", "SUSPEND_RESUME")
          .containsExactlyInAnyOrderElementsOf(
              provider.capabilities().stream().map(Enum::name).toList());
      assertThat(status.hosts()).containsExactly("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2");
      for (var e : statuses.events(r -> "vsphere".equals(r.key()))) {
        assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty();
      }
    }
  }

  // ---- vcsim, seen by the test -----------------------------------------------------------------

  /** The VM the worker names {@code worker-test-<vmId>} in {@code /DC0/vm}, if there is one. */
  private Optional<ManagedObjectReference> vmOf(String vmId) {
    return admin().findByInventoryPath("/DC0/vm/worker-test-" + vmId).await().atMost(WAIT);
  }

  private String powerStateOf(ManagedObjectReference vm) {
    return admin()
        .retrieveProperties(vm, List.of("runtime.powerState"))
        .await()
        .atMost(WAIT)
        .text("runtime.powerState")
        .orElseThrow();
  }

  private synchronized VimClient admin() {
    if (admin == null) {
      VimClient client =
          new VimClient(
              vertx,
              VimSettings.of(sdkUrl, username, password)
                  .withTls(VimSettings.Tls.insecureLoopback()));
      client.connect().await().atMost(WAIT);
      admin = client;
    }
    return admin;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String newVmId() {
    return "vm-" + UUID.randomUUID();
  }

  private static TaskRequested task(
      String vmId, TaskAction action, String operation, String providerRef, String image) {
    String operationId = operation + "-" + vmId;
    String step = action.name().toLowerCase();
    return new TaskRequested(
        UUID.randomUUID().toString(),
        operationId,
        vmId,
        "vsphere",
        step,
        action,
        1,
        operationId + ":" + step,
        Instant.now().plusSeconds(60),
        action == TaskAction.CREATE
            ? new VmSpec("worker-test", "vsphere", 1, 256, 0, image, Map.of("suite", "worker"))
            : null,
        providerRef);
  }

  /** The same task on {@code host}. */
  private static TaskRequested onHost(TaskRequested t, String host) {
    return new TaskRequested(
        t.taskId(),
        t.operationId(),
        t.vmId(),
        t.provider(),
        t.step(),
        t.action(),
        t.attempt(),
        t.idempotencyKey(),
        t.deadline(),
        t.spec(),
        t.providerRef(),
        t.snapshotId(),
        t.cloneTo(),
        t.targetHost(),
        t.export(),
        host);
  }
}
