package dev.virtsaga.worker.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.EventRecorder.Recorded;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
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
  private static LibvirtProbe libvirt;

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @BeforeAll
  static void connect() throws LibvirtException {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder = EventRecorder.start(kafka, List.of(Topics.TASK_EVENTS, DLQ), false);
    publisher = new EventPublisher(kafka);
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
    TaskEvent created = run(task(vmId, TaskAction.CREATE, "op-create"));

    // Then: a stopped domain tagged with the vmId
    assertThat(created.providerRef()).isNotBlank();
    assertThat(created.power()).isEqualTo(PowerState.OFF);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_SHUTOFF);

    // When: the same VM is created again (another operation after a lost reply)
    TaskEvent again = run(task(vmId, TaskAction.CREATE, "op-create-again"));

    // Then: still one domain
    assertThat(again.providerRef()).isEqualTo(created.providerRef());
    assertThat(libvirt.domainsOf(vmId)).hasSize(1);

    // When / Then: power on
    TaskEvent on = run(task(vmId, TaskAction.POWER_ON, "op-start"));
    assertThat(on.power()).isEqualTo(PowerState.ON);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_RUNNING);

    // When / Then: graceful shutdown, reported once the domain is off
    TaskEvent off = run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, "op-stop"));
    assertThat(off.power()).isEqualTo(PowerState.OFF);
    assertThat(libvirt.domainsOf(vmId)).containsExactly(DomainState.VIR_DOMAIN_SHUTOFF);

    // When / Then: delete
    TaskEvent deleted = run(task(vmId, TaskAction.DELETE, "op-delete"));
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(libvirt.domainsOf(vmId)).isEmpty();

    assertThat(statusesOf(vmId))
        .containsExactly(
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED,
            TaskStatus.ACCEPTED, TaskStatus.SUCCEEDED);
    assertEveryEventIsValid(vmId);
  }

  @Test
  void aTaskPastItsDeadlineFailsWithTimeoutAndCreatesNothing() {
    // Given
    String vmId = newVmId();
    TaskRequested late = task(vmId, TaskAction.CREATE, "op-late", Instant.now().minusSeconds(1));

    // When
    publish(late);

    // Then
    TaskEvent failed = awaitFinal(late);
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.TIMEOUT);
    assertThat(failed.error().retryable()).isTrue();
    assertThat(statusesOf(vmId)).containsExactly(TaskStatus.FAILED);
    assertThat(libvirt.domainsOf(vmId)).isEmpty();
    assertEveryEventIsValid(vmId);
  }

  @Test
  void aMalformedRecordIsDeadLetteredAndTheNextTaskIsStillProcessed() {
    // Given
    String poisonKey = newVmId();
    String vmId = newVmId();

    // When
    publisher.sendRaw(TASKS, poisonKey, "{ this is not a task");
    TaskEvent created = run(task(vmId, TaskAction.CREATE, "op-after-poison"));

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
    assertThat(statusesOf(poisonKey)).isEmpty();

    run(task(vmId, TaskAction.DELETE, "op-cleanup"));
    assertEveryEventIsValid(vmId);
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

  private static void publish(TaskRequested task) {
    publisher.send(
        TASKS,
        task.vmId(),
        CloudEvent.of(
            "urn:virtsaga:test",
            task.vmId(),
            task,
            Map.of(
                CloudEvent.EXT_OPERATION_ID, task.operationId(),
                CloudEvent.EXT_PROVIDER, task.provider())));
  }

  /** Publishes a task and returns its final event, which must be SUCCEEDED. */
  private static TaskEvent run(TaskRequested task) {
    publish(task);
    TaskEvent done = awaitFinal(task);
    assertThat(done.status())
        .as("task %s: %s", task.action(), done.error())
        .isEqualTo(TaskStatus.SUCCEEDED);
    return done;
  }

  private static TaskEvent awaitFinal(TaskRequested task) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                eventsOf(task.vmId()).stream()
                    .filter(e -> e.taskId().equals(task.taskId()))
                    .filter(
                        e -> e.status() == TaskStatus.SUCCEEDED || e.status() == TaskStatus.FAILED)
                    .findFirst(),
            java.util.Optional::isPresent)
        .orElseThrow();
  }

  private static List<TaskEvent> eventsOf(String vmId) {
    return recorder.payloads(vmId, TaskEvent.class);
  }

  private static List<TaskStatus> statusesOf(String vmId) {
    return eventsOf(vmId).stream().map(TaskEvent::status).toList();
  }

  /** Every event about the VM: keyed by vmId, with its extensions, valid against its schema. */
  private static void assertEveryEventIsValid(String vmId) {
    List<Recorded> records =
        recorder.all().stream()
            .filter(r -> r.topic().equals(Topics.TASK_EVENTS) && vmId.equals(r.key()))
            .toList();
    assertThat(records).isNotEmpty();
    for (Recorded r : records) {
      CloudEvent e = r.event();
      assertThat(e).as("CloudEvent of %s", r.rawValue()).isNotNull();
      assertThat(EventSchemas.validate(e.type(), e.data()))
          .as("violations of %s", e.data())
          .isEmpty();
      assertThat(e.subject()).isEqualTo(vmId);
      assertThat(e.extension(CloudEvent.EXT_PROVIDER)).isEqualTo("libvirt");
      assertThat(e.extension(CloudEvent.EXT_OPERATION_ID))
          .isEqualTo(e.payload(TaskEvent.class).operationId());
    }
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
