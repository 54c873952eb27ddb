package dev.virtsaga.worker.virtfusion;

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
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged wiring on a real Kafka broker and the in-process VirtFusion simulator: the test
 * plays the orchestrator (publishes tasks, reads task events) and looks at the simulator through
 * its own HTTP calls.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(VirtFusionSimulatorResource.class)
class VirtFusionWorkerTest {
  private static final String TASKS = Topics.tasks("virtfusion");
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static EventRecorder recorder;
  private static EventPublisher publisher;

  @ConfigProperty(name = "virtsaga.virtfusion.base-url")
  String baseUrl;

  @ConfigProperty(name = "virtsaga.virtfusion.token")
  String token;

  @TestHTTPResource("/q/health/ready")
  URI readiness;

  @BeforeAll
  static void connect() {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder = EventRecorder.start(kafka, List.of(Topics.TASK_EVENTS), false);
    publisher = new EventPublisher(kafka);
  }

  @AfterAll
  static void disconnect() {
    recorder.close();
    publisher.close();
  }

  @Test
  void aCreateTaskMakesOneBuiltStoppedServerAndTheVmLivesOn() {
    // Given
    String vmId = newVmId();

    // When: create
    TaskEvent created = run(task(vmId, TaskAction.CREATE, "op-create", null));

    // Then: SUCCEEDED with the server id, stopped, with its address; one server in VirtFusion
    assertThat(created.providerRef()).matches("[0-9]+");
    assertThat(created.power()).isEqualTo(PowerState.OFF);
    assertThat(created.ips()).isNotEmpty();
    List<JsonObject> servers = serversOf(vmId);
    assertThat(servers).hasSize(1);
    assertThat(servers.get(0).getLong("id")).isEqualTo(Long.parseLong(created.providerRef()));
    assertThat(servers.get(0).getString("state")).isEqualTo("stopped");
    assertThat(servers.get(0).getInteger("commissionStatus")).isEqualTo(3);
    assertThat(
            servers
                .get(0)
                .getJsonObject("settings")
                .getJsonObject("resources")
                .getInteger("storage"))
        .isEqualTo(30);

    // When: the same VM is created again (another operation after a lost reply)
    TaskEvent again = run(task(vmId, TaskAction.CREATE, "op-create-again", null));

    // Then: still one server
    assertThat(again.providerRef()).isEqualTo(created.providerRef());
    assertThat(serversOf(vmId)).hasSize(1);

    // When / Then: power on, graceful shutdown, delete
    TaskEvent on = run(task(vmId, TaskAction.POWER_ON, "op-start", created.providerRef()));
    assertThat(on.power()).isEqualTo(PowerState.ON);
    TaskEvent off = run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, "op-stop", created.providerRef()));
    assertThat(off.power()).isEqualTo(PowerState.OFF);
    TaskEvent deleted = run(task(vmId, TaskAction.DELETE, "op-delete", created.providerRef()));
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(serversOf(vmId)).isEmpty();

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
  void anUnknownNetworkProfileFailsTheCreateAsInvalidWithItsReason() {
    // Given
    String vmId = newVmId();
    TaskRequested create =
        task(
            vmId,
            TaskAction.CREATE,
            "op-bad-net",
            null,
            Map.of("virtfusion.dev/network-profile", "99"));

    // When
    publish(create);
    TaskEvent failed = awaitFinal(create);

    // Then
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(failed.error().retryable()).isFalse();
    assertThat(failed.error().message()).contains("network profile 99").contains("Prague");
    assertThat(serversOf(vmId)).isEmpty();
    assertEveryEventIsValid(vmId);
  }

  @Test
  void readinessIncludesTheVirtFusionEndpoint() throws Exception {
    // When
    HttpResponse<String> ready =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(readiness).build(), HttpResponse.BodyHandlers.ofString());

    // Then
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"provider-virtfusion\"").contains("\"UP\"");
  }

  @Test
  void theWorkerDeclaresWhatVirtFusionCanDo() {
    // Given the provider status topic read from the beginning (compacted, keyed by provider)
    try (EventRecorder statuses =
        EventRecorder.start(
            KafkaTestResource.bootstrapServers(), List.of(Topics.PROVIDERS), true)) {
      // Then
      ProviderStatus status =
          await()
              .atMost(WAIT)
              .until(() -> statuses.payloads("virtfusion", ProviderStatus.class), l -> !l.isEmpty())
              .get(0);
      assertThat(status.provider()).isEqualTo("virtfusion");
      assertThat(status.health()).isEqualTo(ProviderHealth.HEALTHY);
      assertThat(status.capabilities())
          .contains(
              "REBOOT", "SUSPEND_RESUME", "GRACEFUL_SHUTDOWN", "DISKS", "RECONFIGURE", "WATCH")
          .doesNotContain("SNAPSHOTS", "CLONE", "MIGRATION", "DISK_EXPORT_IMPORT", "CONSOLE");
      for (var e : statuses.events(r -> "virtfusion".equals(r.key()))) {
        assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty();
      }
    }
  }

  // ---- the simulator, seen by the test ---------------------------------------------------------

  /** The simulator's servers tagged with this vmId. */
  private List<JsonObject> serversOf(String vmId) {
    List<JsonObject> mine = new ArrayList<>();
    int page = 1;
    while (true) {
      JsonObject body = get("/servers?type=full&results=200&page=" + page);
      JsonArray data = body.getJsonArray("data");
      for (Object o : data) {
        JsonObject s = (JsonObject) o;
        if (s.getString("name", "").endsWith("[vs:" + vmId + "]")) {
          mine.add(s);
        }
      }
      if (page >= body.getInteger("last_page", 1)) {
        return mine;
      }
      page++;
    }
  }

  private JsonObject get(String path) {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(baseUrl + path))
                      .header("Authorization", "Bearer " + token)
                      .header("Accept", "application/json")
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
      return new JsonObject(r.body());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String newVmId() {
    return "vm-" + UUID.randomUUID();
  }

  private static TaskRequested task(
      String vmId, TaskAction action, String operation, String providerRef) {
    return task(vmId, action, operation, providerRef, Map.of("suite", "worker"));
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
        "virtfusion",
        step,
        action,
        1,
        operationId + ":" + step,
        Instant.now().plusSeconds(60),
        action == TaskAction.CREATE
            ? new VmSpec("worker-test", "virtfusion", 1, 256, 30, null, labels)
            : null,
        providerRef);
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
            Optional::isPresent)
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
      assertThat(e.extension(CloudEvent.EXT_PROVIDER)).isEqualTo("virtfusion");
      assertThat(e.extension(CloudEvent.EXT_OPERATION_ID))
          .isEqualTo(e.payload(TaskEvent.class).operationId());
    }
  }
}
