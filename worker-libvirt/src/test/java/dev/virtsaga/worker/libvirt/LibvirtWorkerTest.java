package dev.virtsaga.worker.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.EventRecorder.Recorded;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.worker.core.testing.TaskDriver;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;

/**
 * The packaged wiring on a real Kafka broker and libvirt's test driver: the test plays the
 * orchestrator (publishes tasks, reads task events) and looks at the hypervisor through its own
 * libvirt connection.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
class LibvirtWorkerTest {
  private static final String TASKS = Topics.tasks("libvirt");
  private static final String DLQ = Topics.dlq(TASKS);
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static EventRecorder recorder;
  private static EventPublisher publisher;
  private static TaskDriver tasks;
  private static LibvirtProbe libvirt;

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @BeforeAll
  static void connect() throws LibvirtException {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder = EventRecorder.start(kafka, List.of(Topics.TASK_EVENTS, DLQ), false);
    publisher = new EventPublisher(kafka);
    tasks = new TaskDriver(publisher, recorder, "libvirt", WAIT);
    libvirt = new LibvirtProbe("test:///default");
  }

  @AfterAll
  static void disconnect() throws LibvirtException {
    recorder.close();
    publisher.close();
    libvirt.close();
  }

  @Test
  void aVmLivesThroughCreatePowerOnGracefulShutdownAndDelete() {
    // Given
    String vmId = newVmId();

    // When: create
    TaskEvent created = tasks.run(task(vmId, TaskAction.CREATE, "op-create"));

    // Then: a stopped domain tagged with the vmId
    assertThat(created.providerRef()).isNotBlank();
    assertThat(created.power()).isEqualTo(PowerState.OFF);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_SHUTOFF);

    // When: the same VM is created again (another operation after a lost reply)
    TaskEvent again = tasks.run(task(vmId, TaskAction.CREATE, "op-create-again"));

    // Then: still one domain
    assertThat(again.providerRef()).isEqualTo(created.providerRef());
    assertThat(libvirt.domainsOf(vmId)).hasSize(1);

    // When / Then: power on
    TaskEvent on = tasks.run(task(vmId, TaskAction.POWER_ON, "op-start"));
    assertThat(on.power()).isEqualTo(PowerState.ON);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_RUNNING);

    // When / Then: graceful shutdown, reported once the domain is off
    TaskEvent off = tasks.run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, "op-stop"));
    assertThat(off.power()).isEqualTo(PowerState.OFF);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_SHUTOFF);

    // When / Then: delete
    TaskEvent deleted = tasks.run(task(vmId, TaskAction.DELETE, "op-delete"));
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(libvirt.domainsOf(vmId)).isEmpty();

    assertThat(tasks.statusesOf(vmId))
        .containsExactly(
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED);
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void aTaskPastItsDeadlineFailsWithTimeoutAndCreatesNothing() {
    // Given
    String vmId = newVmId();
    TaskRequested late = task(vmId, TaskAction.CREATE, "op-late", Instant.now().minusSeconds(1));

    // When
    tasks.publish(late);

    // Then
    TaskEvent failed = tasks.awaitFinal(late);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.TIMEOUT);
    assertThat(failed.error().retryable()).isTrue();
    assertThat(tasks.statusesOf(vmId)).containsExactly(TaskStatus.FAILED);
    assertThat(libvirt.domainsOf(vmId)).isEmpty();
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void aMalformedRecordIsDeadLetteredAndTheNextTaskIsStillProcessed() {
    // Given
    String poisonKey = newVmId();
    String vmId = newVmId();

    // When
    publisher.sendRaw(TASKS, poisonKey, "{ this is not a task");
    TaskEvent created = tasks.run(task(vmId, TaskAction.CREATE, "op-after-poison"));

    // Then
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(recorder.all())
                    .filteredOn(r -> r.topic().equals(DLQ) && poisonKey.equals(r.key()))
                    .extracting(Recorded::rawValue)
                    .containsExactly("{ this is not a task"));
    assertThat(created.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(libvirt.domainsOf(vmId)).hasSize(1);
    assertThat(tasks.statusesOf(poisonKey)).isEmpty();

    tasks.run(task(vmId, TaskAction.DELETE, "op-cleanup"));
    tasks.assertEveryEventIsValid(vmId);
  }

  @Test
  void readinessIncludesTheLibvirtConnection() throws Exception {
    // When
    HttpResponse<String> ready =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());

    // Then
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"provider-libvirt\"").contains("\"UP\"");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static String newVmId() {
    return "vm-" + UUID.randomUUID();
  }

  private static TaskRequested task(String vmId, TaskAction action, String operation) {
    return task(vmId, action, operation, Instant.now().plusSeconds(60));
  }

  private static TaskRequested task(
      String vmId, TaskAction action, String operation, Instant deadline) {
    String operationId = operation + "-" + vmId;
    String step = action.name().toLowerCase();
    return new TaskRequested(
        UUID.randomUUID().toString(),
        operationId,
        vmId,
        "libvirt",
        step,
        action,
        1,
        operationId + ":" + step,
        deadline,
        action == TaskAction.CREATE
            ? new VmSpec("worker-test", "libvirt", 1, 64, 0, null, Map.of("suite", "worker"))
            : null,
        null);
  }

  @Test
  void theWorkerDeclaresItsProviderCapabilitiesAndHealth() {
    // Given the provider status topic read from the beginning (it is compacted, keyed by provider)
    try (EventRecorder statuses =
        EventRecorder.start(
            KafkaTestResource.bootstrapServers(), List.of(Topics.PROVIDERS), true)) {
      // Then the worker has declared libvirt, healthy, with what the test driver can do
      dev.virtsaga.events.provider.ProviderStatus status =
          await()
              .atMost(WAIT)
              .until(
                  () ->
                      statuses.payloads(
                          "libvirt", dev.virtsaga.events.provider.ProviderStatus.class),
                  l -> !l.isEmpty())
              .get(0);
      assertThat(status.provider()).isEqualTo("libvirt");
      assertThat(status.health()).isEqualTo(dev.virtsaga.events.provider.ProviderHealth.HEALTHY);
      assertThat(status.capabilities()).contains("REBOOT", "SUSPEND_RESUME", "GRACEFUL_SHUTDOWN");
      for (var e : statuses.events(r -> "libvirt".equals(r.key()))) {
        assertThat(dev.virtsaga.events.EventSchemas.validate(e.type(), e.data())).isEmpty();
      }
    }
  }
}
