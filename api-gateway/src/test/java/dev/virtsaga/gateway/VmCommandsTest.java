package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Commands end to end on the real broker and database: 202, idempotency, 400, 409, 422. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class VmCommandsTest {
  static final String VALID =
      """
      {"name":"web-1","provider":"libvirt","cpus":2,"memoryMiB":2048,"diskGiB":10,
       "labels":{"team":"a"}}
      """;

  static CommandLog commands;
  static Events events;
  String tenant;

  @BeforeAll
  static void startRecording() {
    commands = CommandLog.start();
    events = new Events();
  }

  @AfterAll
  static void stopRecording() {
    commands.close();
    events.close();
  }

  @BeforeEach
  void freshTenant() {
    tenant = "t-" + UUID.randomUUID();
  }

  RequestSpecification api() {
    return given().header(Tenant.HEADER, tenant).contentType(ContentType.JSON);
  }

  @Test
  void createAnswers202AndPublishesAValidCreateCommand() {
    // When
    ExtractableResponse<Response> r =
        api()
            .header("X-Request-Id", "req-42")
            .body(VALID)
            .post("/v1/vms")
            .then()
            .statusCode(202)
            .contentType(ContentType.JSON)
            .body("status", equalTo("ACCEPTED"))
            .extract();
    String operationId = r.path("operationId");
    String vmId = r.path("vmId");

    // Then
    assertThat(UUID.fromString(operationId)).isNotNull();
    assertThat(UUID.fromString(vmId)).isNotNull();
    assertThat(r.header("Location")).endsWith("/v1/operations/" + operationId);
    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    CloudEvent event = published.get(0);
    assertThat(event.type()).isEqualTo(EventCatalog.VM_COMMAND);
    assertThat(event.subject()).isEqualTo(vmId);
    assertThat(event.extension(CloudEvent.EXT_OPERATION_ID)).isEqualTo(operationId);
    assertThat(event.extension(CloudEvent.EXT_REQUEST_ID)).isEqualTo("req-42");
    assertThat(EventSchemas.validate(event.type(), event.data())).isEmpty();
    assertThat(commands.records(vmId)).hasSize(1);
    VmCommand command = event.payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.CREATE);
    assertThat(command.vmId()).isEqualTo(vmId);
    assertThat(command.operationId()).isEqualTo(operationId);
    assertThat(command.tenantId()).isEqualTo(tenant);
    assertThat(command.spec().name()).isEqualTo("web-1");
    assertThat(command.spec().memoryMiB()).isEqualTo(2048);
    assertThat(command.spec().labels()).containsEntry("team", "a");
  }

  @Test
  void createdVmCanBeReadAtOnceAsPendingAndItsOperationAsAccepted() {
    // Given
    ExtractableResponse<Response> r =
        api().body(VALID).post("/v1/vms").then().statusCode(202).extract();
    String vmId = r.path("vmId");
    String operationId = r.path("operationId");

    // Then
    api()
        .get("/v1/vms/" + vmId)
        .then()
        .statusCode(200)
        .body("id", equalTo(vmId))
        .body("name", equalTo("web-1"))
        .body("state", equalTo("PENDING"))
        .body("version", equalTo(0))
        .body("spec.cpus", equalTo(2));
    api()
        .get("/v1/operations/" + operationId)
        .then()
        .statusCode(200)
        .body("operationId", equalTo(operationId))
        .body("vmId", equalTo(vmId))
        .body("type", equalTo("CREATE"))
        .body("status", equalTo("ACCEPTED"));
    // ...and another tenant sees neither
    given().header(Tenant.HEADER, "someone-else").get("/v1/vms/" + vmId).then().statusCode(404);
    given()
        .header(Tenant.HEADER, "someone-else")
        .get("/v1/operations/" + operationId)
        .then()
        .statusCode(404);
  }

  @Test
  void sameIdempotencyKeyAndRequestGivesTheSameOperationAndOneCommand() {
    // Given
    String key = UUID.randomUUID().toString();
    ExtractableResponse<Response> first =
        api()
            .header("Idempotency-Key", key)
            .body(VALID)
            .post("/v1/vms")
            .then()
            .statusCode(202)
            .extract();

    // When the same request is sent again, with its properties in another order
    String reordered =
        """
        {"labels":{"team":"a"},"diskGiB":10,"memoryMiB":2048,"cpus":2,"provider":"libvirt",
         "name":"web-1"}
        """;
    ExtractableResponse<Response> second =
        api()
            .header("Idempotency-Key", key)
            .body(reordered)
            .post("/v1/vms")
            .then()
            .statusCode(202)
            .extract();

    // Then
    assertThat(second.<String>path("operationId")).isEqualTo(first.path("operationId"));
    assertThat(second.<String>path("vmId")).isEqualTo(first.path("vmId"));
    assertThat(second.header("Location")).isEqualTo(first.header("Location"));
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  @Test
  void concurrentDuplicatesWithOneKeyPublishOneCommand() {
    // Given
    String key = UUID.randomUUID().toString();

    // When eight copies of one request race
    List<CompletableFuture<ExtractableResponse<Response>>> racing =
        IntStream.range(0, 8)
            .mapToObj(
                i ->
                    CompletableFuture.supplyAsync(
                        () ->
                            api()
                                .header("Idempotency-Key", key)
                                .body(VALID)
                                .post("/v1/vms")
                                .then()
                                .extract()))
            .toList();
    List<ExtractableResponse<Response>> answers =
        racing.stream().map(CompletableFuture::join).toList();

    // Then each got the operation, or was told to retry while the first was in progress
    assertThat(answers)
        .extracting(ExtractableResponse::statusCode)
        .allMatch(s -> s == 202 || s == 409);
    assertThat(
            answers.stream()
                .filter(a -> a.statusCode() == 202)
                .map(a -> a.<String>path("operationId"))
                .distinct())
        .hasSize(1);
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  @Test
  void sameIdempotencyKeyWithAnotherRequestIs422AndPublishesNothing() {
    // Given
    String key = UUID.randomUUID().toString();
    api().header("Idempotency-Key", key).body(VALID).post("/v1/vms").then().statusCode(202);

    // When
    api()
        .header("Idempotency-Key", key)
        .body(VALID.replace("web-1", "web-2"))
        .post("/v1/vms")
        .then()
        // Then
        .statusCode(422)
        .contentType("application/problem+json")
        .body("status", equalTo(422))
        .body("type", startsWith("https://"))
        .body("instance", equalTo("/v1/vms"));
    commands.flush();
    assertThat(commands.commands(tenant)).extracting(c -> c.spec().name()).containsExactly("web-1");
  }

  @Test
  void idempotencyKeysAreScopedPerTenant() {
    // Given
    String key = UUID.randomUUID().toString();
    String first =
        api()
            .header("Idempotency-Key", key)
            .body(VALID)
            .post("/v1/vms")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // When another tenant uses the same key
    String other =
        given()
            .header(Tenant.HEADER, tenant + "-b")
            .contentType(ContentType.JSON)
            .header("Idempotency-Key", key)
            .body(VALID)
            .post("/v1/vms")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // Then
    assertThat(other).isNotEqualTo(first);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"name\":\"web-1\",",
        "not json",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2,\"memoryMiB\":512,\"diskGiB\":1,\"colour\":\"red\"}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":0,\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2,\"memoryMiB\":10,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":\"two\",\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2.5,\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2,\"memoryMiB\":99999999999999999999999,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2,\"memoryMiB\":512,\"diskGiB\":70000}",
        "{\"name\":\"Web_1\",\"provider\":\"libvirt\",\"cpus\":2,\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"vsphere\",\"cpus\":2,\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"cpus\":2,\"memoryMiB\":512,\"diskGiB\":1}",
        "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":2,\"cpus\":3,\"memoryMiB\":512,\"diskGiB\":1}",
        "[]",
        ""
      })
  void badCreateRequestsAre400ProblemsAndPublishNothing(String body) {
    // When
    api()
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .body(body)
        .post("/v1/vms")
        .then()
        // Then
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("title", equalTo("Invalid request"))
        .body("type", equalTo("https://virtsaga.dev/problems/invalid-request"))
        .body("instance", equalTo("/v1/vms"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void validationErrorsNameEveryOffendingField() {
    api()
        .body(
            "{\"name\":\"-x\",\"provider\":\"libvirt\",\"cpus\":0,\"memoryMiB\":10,\"diskGiB\":-1}")
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("errors.field", hasItem("name"))
        .body("errors.field", hasItem("cpus"))
        .body("errors.field", hasItem("memoryMiB"))
        .body("errors.field", hasItem("diskGiB"));
    api()
        .body(
            "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":512,\"diskGiB\":1,\"colour\":\"red\"}")
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .body("errors[0].field", equalTo("colour"));
  }

  @Test
  void tooManyLabelsIs400() {
    StringBuilder labels = new StringBuilder();
    for (int i = 0; i < 65; i++) {
      labels.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    api()
        .body(
            "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":512,\"diskGiB\":1,\"labels\":{"
                + labels
                + "}}")
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("labels"));
  }

  @Test
  void actionOnUnknownVmIs404AndUnknownActionIs404() {
    api()
        .post("/v1/vms/" + UUID.randomUUID() + "/actions/start")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    api()
        .delete("/v1/vms/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    String vmId = stableVm(VmState.RUNNING);
    api()
        .post("/v1/vms/" + vmId + "/actions/explode")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  @Test
  void actionOnVmWithOperationInFlightIs409() {
    // Given a VM whose snapshot shows an operation in flight
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.withOperation(
            Events.snapshot(vmId, tenant, "busy", VmState.STARTING, 3),
            UUID.randomUUID().toString(),
            CommandType.START));
    awaitVersion(vmId, 3);

    // When / Then
    api()
        .post("/v1/vms/" + vmId + "/actions/reboot")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/operation-in-flight"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void secondActionRightAfterTheFirstIs409UntilTheFirstFinishes() {
    // Given
    String vmId = stableVm(VmState.STOPPED);

    // When
    String first =
        api()
            .post("/v1/vms/" + vmId + "/actions/start")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    api()
        .body("{\"force\":true}")
        .post("/v1/vms/" + vmId + "/actions/stop")
        .then()
        // Then
        .statusCode(409)
        .body("detail", containsString(first));

    // When the orchestrator reports the first operation finished
    events.lifecycle(tenant, new OperationSucceeded(vmId, first, CommandType.START, Events.T0));

    // Then the VM takes commands again
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .body("{\"force\":true,\"gracefulTimeoutSeconds\":30}")
                    .post("/v1/vms/" + vmId + "/actions/stop")
                    .then()
                    .statusCode(202));
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published)
        .extracting(VmCommand::type)
        .containsExactly(CommandType.START, CommandType.STOP);
    assertThat(published.get(1).force()).isTrue();
    assertThat(published.get(1).gracefulTimeoutSeconds()).isEqualTo(30);
    commands
        .events(tenant)
        .forEach(e -> assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty());
  }

  @Test
  void snapshotShowingTheOperationDoneFreesTheVm() {
    // Given
    String vmId = stableVm(VmState.STOPPED);
    String op =
        api()
            .post("/v1/vms/" + vmId + "/actions/start")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // When the orchestrator's next snapshot has it as the last operation, none in flight
    VmSnapshot done = Events.snapshot(vmId, tenant, "vm", VmState.RUNNING, 5);
    events.snapshot(
        new VmSnapshot(
            done.vmId(),
            done.tenantId(),
            done.spec(),
            done.state(),
            done.observedPower(),
            done.conditions(),
            done.version(),
            done.createdAt(),
            done.updatedAt(),
            null,
            op,
            done.providerRef(),
            done.ips(),
            null));

    // Then
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> api().post("/v1/vms/" + vmId + "/actions/reboot").then().statusCode(202));
  }

  @Test
  void deletePreemptsAnOperationInFlightButNotAnotherDelete() {
    // Given
    String vmId = stableVm(VmState.RUNNING);
    api().post("/v1/vms/" + vmId + "/actions/reboot").then().statusCode(202);

    // When / Then
    api().delete("/v1/vms/" + vmId).then().statusCode(202).body("vmId", equalTo(vmId));
    api().delete("/v1/vms/" + vmId).then().statusCode(409);
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published)
        .extracting(VmCommand::type)
        .containsExactly(CommandType.REBOOT, CommandType.DELETE);
    commands
        .events(tenant)
        .forEach(e -> assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty());
  }

  @Test
  void actionIdempotencyKeyReplaysInsteadOf409() {
    // Given
    String vmId = stableVm(VmState.RUNNING);
    String key = UUID.randomUUID().toString();
    String first =
        api()
            .header("Idempotency-Key", key)
            .post("/v1/vms/" + vmId + "/actions/reboot")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // When the client retries
    String again =
        api()
            .header("Idempotency-Key", key)
            .post("/v1/vms/" + vmId + "/actions/reboot")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // Then
    assertThat(again).isEqualTo(first);
    api().header("Idempotency-Key", key).delete("/v1/vms/" + vmId).then().statusCode(422);
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  @Test
  void badActionBodiesAre400() {
    String vmId = stableVm(VmState.RUNNING);
    api()
        .body("{\"gracefulTimeoutSeconds\":0}")
        .post("/v1/vms/" + vmId + "/actions/stop")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("gracefulTimeoutSeconds"));
    api()
        .body("{\"gracefulTimeoutSeconds\":3601}")
        .post("/v1/vms/" + vmId + "/actions/stop")
        .then()
        .statusCode(400);
    api()
        .body("{\"force\":\"yes\"}")
        .post("/v1/vms/" + vmId + "/actions/stop")
        .then()
        .statusCode(400);
    api()
        .body("{\"force\":true}")
        .post("/v1/vms/" + vmId + "/actions/start")
        .then()
        .statusCode(400);
    api().body("{\"now\":true}").post("/v1/vms/" + vmId + "/actions/stop").then().statusCode(400);
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void invalidHeadersAre400() {
    api()
        .header("Idempotency-Key", "has spaces in it")
        .body(VALID)
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    given()
        .header(Tenant.HEADER, "bad tenant!")
        .get("/v1/vms")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  /** A VM the orchestrator reported in a stable state, visible through the API. */
  String stableVm(VmState state) {
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "vm", state, 1));
    awaitVersion(vmId, 1);
    return vmId;
  }

  void awaitVersion(String vmId, int version) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(200)
                    .body("version", equalTo(version)));
  }
}
