package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.SnapshotView.SnapshotPhase;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clone, migrate and abort on the real broker and database: the published command, Idempotency-Key
 * replays, and refusals (problem+json, nothing published).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class CloneAndMigrateTest {
  /** Can clone and migrate, between three hosts (h1 the default). */
  static final String CAPABLE = "cap-" + UUID.randomUUID().toString().substring(0, 8);

  /** Declares neither clone nor migration. */
  static final String BARE = "bare-" + UUID.randomUUID().toString().substring(0, 8);

  static CommandLog commands;
  static Events events;
  String tenant;

  @BeforeAll
  static void start() {
    commands = CommandLog.start();
    events = new Events();
    events.provider(
        new ProviderStatus(
            CAPABLE,
            List.of("CLONE", "DISKS", "MIGRATION", "SNAPSHOTS"),
            ProviderHealth.HEALTHY,
            Instant.now(),
            null,
            null,
            List.of("h1", "h2", "h3")));
    events.provider(
        new ProviderStatus(BARE, List.of("REBOOT"), ProviderHealth.HEALTHY, Instant.now(), null));
  }

  @AfterAll
  static void stop() {
    commands.close();
    events.close();
  }

  /** The gateway (up once the first test runs, not before @BeforeAll) has read the providers. */
  static boolean providersKnown;

  @BeforeEach
  void freshTenant() {
    tenant = "t-" + UUID.randomUUID();
    if (!providersKnown) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  given()
                      .get("/v1/providers")
                      .then()
                      .body("items.name", hasItem(CAPABLE))
                      .body("items.name", hasItem(BARE))
                      .body(
                          "items.find { it.name == '" + CAPABLE + "' }.hosts",
                          equalTo(List.of("h1", "h2", "h3"))));
      providersKnown = true;
    }
  }

  RequestSpecification api() {
    return given().header(Tenant.HEADER, tenant).contentType(ContentType.JSON);
  }

  // ------------------------------------------------------------------ clone

  @Test
  void cloneAnswers202WithTheNewVmsIdAndPublishesACloneCommand() {
    // Given a VM with a snapshot
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    // When
    ExtractableResponse<Response> r =
        api()
            .header("X-Request-Id", "req-clone")
            .body("{\"name\":\"copy-1\",\"snapshotId\":\"snap-1\"}")
            .post("/v1/vms/" + vmId + "/clone")
            .then()
            .statusCode(202)
            .contentType(ContentType.JSON)
            .body("status", equalTo("ACCEPTED"))
            .body("vmId", equalTo(vmId))
            .body("cloneVmId", notNullValue())
            .extract();

    // Then
    String operationId = r.path("operationId");
    String cloneVmId = r.path("cloneVmId");
    assertThat(UUID.fromString(cloneVmId)).isNotNull();
    assertThat(cloneVmId).isNotEqualTo(vmId);
    assertThat(r.header("Location")).endsWith("/v1/operations/" + operationId);
    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    assertThat(EventSchemas.validate(published.get(0).type(), published.get(0).data())).isEmpty();
    VmCommand command = published.get(0).payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.CLONE);
    assertThat(command.vmId()).isEqualTo(vmId);
    assertThat(command.operationId()).isEqualTo(operationId);
    assertThat(command.requestId()).isEqualTo("req-clone");
    assertThat(command.cloneTo()).isEqualTo(new CloneArgs(cloneVmId, "copy-1", "snap-1"));
    api()
        .get("/v1/operations/" + operationId)
        .then()
        .statusCode(200)
        .body("type", equalTo("CLONE"))
        .body("vmId", equalTo(vmId));
  }

  @Test
  void aRepeatedCloneWithTheSameKeyGetsTheSameNewVmIdAndPublishesOnce() {
    // Given
    String vmId = vm(CAPABLE, null, VmState.STOPPED, null);
    String key = UUID.randomUUID().toString();
    ExtractableResponse<Response> first =
        api()
            .header("Idempotency-Key", key)
            .body("{\"name\":\"copy-1\"}")
            .post("/v1/vms/" + vmId + "/clone")
            .then()
            .statusCode(202)
            .extract();

    // When the client retries, and then reuses the key for another clone
    ExtractableResponse<Response> again =
        api()
            .header("Idempotency-Key", key)
            .body("{ \"name\" : \"copy-1\" }")
            .post("/v1/vms/" + vmId + "/clone")
            .then()
            .statusCode(202)
            .extract();
    api()
        .header("Idempotency-Key", key)
        .body("{\"name\":\"copy-2\"}")
        .post("/v1/vms/" + vmId + "/clone")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", containsString("idempotency-key-reused"));

    // Then
    assertThat(again.<String>path("operationId")).isEqualTo(first.path("operationId"));
    assertThat(again.<String>path("cloneVmId")).isEqualTo(first.path("cloneVmId"));
    commands.flush();
    assertThat(commands.commands(tenant))
        .extracting(c -> c.cloneTo().targetVmId())
        .containsExactly(first.<String>path("cloneVmId"));
  }

  @Test
  void aCloneFromAnUnknownOrUnfinishedSnapshotIsRefusedAndPublishesNothing() {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    api()
        .body("{\"name\":\"copy-1\",\"snapshotId\":\"nope\"}")
        .post("/v1/vms/" + vmId + "/clone")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("no snapshot nope"));
    api()
        .body("{\"name\":\"copy-1\",\"snapshotId\":\"snap-failed\"}")
        .post("/v1/vms/" + vmId + "/clone")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/snapshot-not-ready"));
    api()
        .body("{\"name\":\"copy-1\"}")
        .post("/v1/vms/" + UUID.randomUUID() + "/clone")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{}",
        "{\"name\":\"Copy_1\"}",
        "{\"name\":\"copy-1\",\"colour\":\"red\"}",
        "{\"name\":\"copy-1\",\"snapshotId\":\"\"}",
        "{\"name\":7}"
      })
  void badCloneBodiesAre400AndPublishNothing(String body) {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    api()
        .body(body)
        .post("/v1/vms/" + vmId + "/clone")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/invalid-request"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void cloneMigrateAndAbortAreRefusedUpFrontOnAProviderWithoutThem() {
    String vmId = vm(BARE, null, VmState.RUNNING, null);
    String migrating =
        vm(
            BARE,
            null,
            VmState.MIGRATING,
            new OperationView("op-m", CommandType.MIGRATE, "migrate", 1, Events.T0, Events.T0));

    api()
        .body("{\"name\":\"copy-1\"}")
        .post("/v1/vms/" + vmId + "/clone")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString("does not support clone"));
    api()
        .body("{\"host\":\"h2\"}")
        .post("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(422)
        .body("detail", containsString("does not support migrate"));
    api()
        .delete("/v1/vms/" + migrating + "/migrate")
        .then()
        .statusCode(422)
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  // ------------------------------------------------------------------ migrate

  @Test
  void migrateAnswers202AndPublishesTheTargetHost() {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    String operationId =
        api()
            .body("{\"host\":\"h2\"}")
            .post("/v1/vms/" + vmId + "/migrate")
            .then()
            .statusCode(202)
            .body("vmId", equalTo(vmId))
            .extract()
            .path("operationId");

    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    assertThat(EventSchemas.validate(published.get(0).type(), published.get(0).data())).isEmpty();
    VmCommand command = published.get(0).payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.MIGRATE);
    assertThat(command.operationId()).isEqualTo(operationId);
    assertThat(command.targetHost()).isEqualTo("h2");
    assertThat(command.cloneTo()).isNull();
  }

  @Test
  void migrateToAnUnknownHostIs422NamingTheKnownHosts() {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    api()
        .body("{\"host\":\"h9\"}")
        .post("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/unknown-host"))
        .body("detail", containsString("known hosts: h1, h2, h3"))
        .body("errors[0].field", equalTo("host"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void migrateToTheHostTheVmIsOnIs409() {
    String onH3 = vm(CAPABLE, "h3", VmState.STOPPED, null);

    api()
        .body("{\"host\":\"h3\"}")
        .post("/v1/vms/" + onH3 + "/migrate")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/already-on-host"))
        .body("detail", containsString("is on host h3 already"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();

    // a VM the provider placed (no host in its spec) may be asked to go anywhere: the provider
    // knows where it runs, and a move to where it is succeeds at once
    String placed = vm(CAPABLE, null, VmState.RUNNING, null);
    api().body("{\"host\":\"h1\"}").post("/v1/vms/" + placed + "/migrate").then().statusCode(202);

    // but from h3 back to the default host is a move
    api().body("{\"host\":\"h1\"}").post("/v1/vms/" + onH3 + "/migrate").then().statusCode(202);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "{}", "{\"host\":\"\"}", "{\"host\":\"h 2\"}", "{\"to\":\"h2\"}"})
  void badMigrateBodiesAre400AndPublishNothing(String body) {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    api()
        .body(body)
        .post("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void migrateIdempotencyKeyReplaysTheFirstAnswer() {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);
    String key = UUID.randomUUID().toString();

    String first =
        api()
            .header("Idempotency-Key", key)
            .body("{\"host\":\"h2\"}")
            .post("/v1/vms/" + vmId + "/migrate")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    String again =
        api()
            .header("Idempotency-Key", key)
            .body("{\"host\":\"h2\"}")
            .post("/v1/vms/" + vmId + "/migrate")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    api()
        .header("Idempotency-Key", key)
        .body("{\"host\":\"h3\"}")
        .post("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(422);

    assertThat(again).isEqualTo(first);
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  // ------------------------------------------------------------------ abort

  @Test
  void abortOfARunningMigrationAnswers202AndPublishesAnAbort() {
    // Given a VM migrating, its operation in flight
    String migration = UUID.randomUUID().toString();
    String vmId =
        vm(
            CAPABLE,
            null,
            VmState.MIGRATING,
            new OperationView(migration, CommandType.MIGRATE, "migrate", 1, Events.T0, Events.T0));
    String key = UUID.randomUUID().toString();

    // When (twice, with one Idempotency-Key)
    String operationId =
        api()
            .header("Idempotency-Key", key)
            .delete("/v1/vms/" + vmId + "/migrate")
            .then()
            .statusCode(202)
            .body("vmId", equalTo(vmId))
            .extract()
            .path("operationId");
    api()
        .header("Idempotency-Key", key)
        .delete("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(202)
        .body("operationId", equalTo(operationId));

    // Then one abort, and a second abort without the key waits for the first
    api().delete("/v1/vms/" + vmId + "/migrate").then().statusCode(409);
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).extracting(VmCommand::type).containsExactly(CommandType.ABORT);
    assertThat(published.get(0).operationId()).isEqualTo(operationId);
    commands
        .events(tenant)
        .forEach(e -> assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty());
  }

  @Test
  void abortOfAVmThatIsNotMigratingIs409AndPublishesNothing() {
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);

    api()
        .delete("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-migrating"))
        .body("detail", containsString("RUNNING"));
    api().delete("/v1/vms/" + UUID.randomUUID() + "/migrate").then().statusCode(404);
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void aMigrationJustPublishedCanBeAbortedOnceTheVmIsMigrating() {
    // Given a migrate this gateway published
    String vmId = vm(CAPABLE, null, VmState.RUNNING, null);
    String migration =
        api()
            .body("{\"host\":\"h2\"}")
            .post("/v1/vms/" + vmId + "/migrate")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    // while the read model does not show it yet, there is nothing to abort
    api().delete("/v1/vms/" + vmId + "/migrate").then().statusCode(409);

    // When the orchestrator reports the VM migrating
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            spec(CAPABLE, null),
            VmState.MIGRATING,
            2,
            new OperationView(migration, CommandType.MIGRATE, "migrate", 1, Events.T0, Events.T0),
            List.of()));
    awaitVersion(vmId, 2);

    // Then the abort goes alongside it, and another command still waits
    api().delete("/v1/vms/" + vmId + "/migrate").then().statusCode(202);
    api()
        .body("{\"host\":\"h3\"}")
        .post("/v1/vms/" + vmId + "/migrate")
        .then()
        .statusCode(409)
        .body("type", equalTo("https://virtsaga.dev/problems/operation-in-flight"));
    commands.flush();
    assertThat(commands.commands(tenant))
        .extracting(VmCommand::type)
        .containsExactly(CommandType.MIGRATE, CommandType.ABORT);
  }

  // ------------------------------------------------------------------ helpers

  static VmSpec spec(String provider, String host) {
    return new VmSpec("vm", provider, 1, 512, 1, null, null, host, null);
  }

  /** A VM the orchestrator reported, visible through the API, with a good and a failed snapshot. */
  String vm(String provider, String host, VmState state, OperationView operation) {
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            spec(provider, host),
            state,
            1,
            operation,
            List.of(
                new SnapshotView("snap-1", "before", SnapshotPhase.SUCCEEDED, Events.T0, null),
                new SnapshotView("snap-failed", "bad", SnapshotPhase.FAILED, Events.T0, "boom"))));
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
