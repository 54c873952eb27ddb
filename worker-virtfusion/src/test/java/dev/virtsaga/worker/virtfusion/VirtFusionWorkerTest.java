package dev.virtsaga.worker.virtfusion;

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
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static EventRecorder recorder;
  private static EventPublisher publisher;
  private static TaskDriver tasks;

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
    tasks = new TaskDriver(publisher, recorder, "virtfusion", WAIT);
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
    TaskEvent created = tasks.run(task(vmId, TaskAction.CREATE, "op-create", null));

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
    TaskEvent again = tasks.run(task(vmId, TaskAction.CREATE, "op-create-again", null));

    // Then: still one server
    assertThat(again.providerRef()).isEqualTo(created.providerRef());
    assertThat(serversOf(vmId)).hasSize(1);

    // When / Then: power on, graceful shutdown, delete
    TaskEvent on = tasks.run(task(vmId, TaskAction.POWER_ON, "op-start", created.providerRef()));
    assertThat(on.power()).isEqualTo(PowerState.ON);
    TaskEvent off =
        tasks.run(task(vmId, TaskAction.SHUTDOWN_GRACEFUL, "op-stop", created.providerRef()));
    assertThat(off.power()).isEqualTo(PowerState.OFF);
    TaskEvent deleted =
        tasks.run(task(vmId, TaskAction.DELETE, "op-delete", created.providerRef()));
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(serversOf(vmId)).isEmpty();

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
    tasks.publish(create);
    TaskEvent failed = tasks.awaitFinal(create);

    // Then
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(failed.error().retryable()).isFalse();
    assertThat(failed.error().message()).contains("network profile 99").contains("Prague");
    assertThat(serversOf(vmId)).isEmpty();
    tasks.assertEveryEventIsValid(vmId);
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
}
