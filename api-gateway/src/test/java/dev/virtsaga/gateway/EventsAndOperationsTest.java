package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationProgress;
import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Lifecycle events the test publishes on the real vm.lifecycle.v1: SSE and operation status. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class EventsAndOperationsTest {
  static final String CREATE =
      "{\"name\":\"app-1\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":256,\"diskGiB\":1}";

  static Events events;
  String tenant;

  @TestHTTPResource("/v1/events")
  URI eventsUri;

  @BeforeAll
  static void publisher() {
    events = new Events();
  }

  @AfterAll
  static void close() {
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
  void lifecycleEventsOfOneVmAreStreamedAsSse() {
    // Given a subscriber for one VM, and the gateway's consumer live
    String vmId = UUID.randomUUID().toString();
    String otherVm = UUID.randomUUID().toString();
    try (SseClient all = SseClient.open(eventsUri, tenant);
        SseClient one = SseClient.open(URI.create(eventsUri + "?vmId=" + vmId), tenant);
        SseClient stranger = SseClient.open(eventsUri, tenant + "-stranger")) {
      awaitConsumerLive(all);

      // When
      events.lifecycle(tenant, new CommandAccepted(otherVm, "op-x", CommandType.START, Events.T0));
      events.lifecycle(
          tenant,
          new StateChanged(vmId, VmState.STOPPED, VmState.STARTING, 4, "op-1", null, Events.T0));
      events.lifecycle(tenant, new OperationSucceeded(vmId, "op-1", CommandType.START, Events.T0));

      // Then
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(one.events()).hasSize(2));
      List<SseClient.Event> received = one.events();
      assertThat(received)
          .extracting(SseClient.Event::name)
          .containsExactly(EventCatalog.STATE_CHANGED, EventCatalog.OPERATION_SUCCEEDED);
      assertThat(received).allSatisfy(e -> assertThat(e.id()).isNotBlank());
      JsonNode changed = Json.mapper().readTree(received.get(0).data());
      assertThat(changed.get("type").asText()).isEqualTo(EventCatalog.STATE_CHANGED);
      assertThat(changed.get("vmId").asText()).isEqualTo(vmId);
      assertThat(changed.get("to").asText()).isEqualTo("STARTING");
      assertThat(changed.get("version").asLong()).isEqualTo(4);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(all.events())
                      .extracting(SseClient.Event::name)
                      .contains(EventCatalog.COMMAND_ACCEPTED, EventCatalog.OPERATION_SUCCEEDED));
      assertThat(stranger.events()).isEmpty();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anOperationTheOrchestratorStartsOnItsOwnIsFollowableByTheVmsTenant() {
    // Given a VM of the tenant (an ENFORCE drift policy corrects it with an operation of its own)
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "enforced", VmState.STOPPED, 3));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));
    String corrective = UUID.randomUUID().toString();

    // When the orchestrator starts and finishes it
    events.lifecycle(
        tenant,
        new OperationStarted(
            vmId, corrective, CommandType.START, Events.T0.plusSeconds(60), Events.T0));
    events.lifecycle(
        tenant, new OperationSucceeded(vmId, corrective, CommandType.START, Events.T0));

    // Then: the tenant follows it like one of its own commands; another tenant does not see it
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + corrective)
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("SUCCEEDED"))
                    .body("type", equalTo("START"))
                    .body("vmId", equalTo(vmId)));
    given()
        .header(Tenant.HEADER, tenant + "-other")
        .get("/v1/operations/" + corrective)
        .then()
        .statusCode(404);
  }

  @Test
  void lifecycleEventsDriveTheOperationToSucceededAndLateEventsDoNotMoveItBack() {
    // Given
    String operationId = create();
    String vmId = vmOf(operationId);

    // When
    events.lifecycle(tenant, new CommandAccepted(vmId, operationId, CommandType.CREATE, Events.T0));
    events.lifecycle(
        tenant,
        new OperationStarted(
            vmId,
            operationId,
            CommandType.CREATE,
            Events.T0.plusSeconds(60),
            Events.T0.plusSeconds(1)));
    events.lifecycle(
        tenant,
        new OperationProgress(
            vmId,
            operationId,
            CommandType.CREATE,
            "provision",
            1,
            Events.T0.plusSeconds(60),
            null,
            Events.T0.plusSeconds(2)));

    // Then
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + operationId)
                    .then()
                    .body("status", equalTo("RUNNING"))
                    .body("step", equalTo("provision")));

    // When it succeeds, and then a stale progress event arrives
    events.lifecycle(
        tenant,
        new OperationSucceeded(vmId, operationId, CommandType.CREATE, Events.T0.plusSeconds(5)));
    events.lifecycle(
        tenant,
        new OperationProgress(
            vmId,
            operationId,
            CommandType.CREATE,
            "power-on",
            1,
            Events.T0.plusSeconds(60),
            null,
            Events.T0.plusSeconds(3)));

    // Then
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + operationId)
                    .then()
                    .body("status", equalTo("SUCCEEDED")));

    // When a next operation on the same VM (so: the same partition, after the stale event) runs
    String next =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> api().post("/v1/vms/" + vmId + "/actions/start").then().extract(),
                r -> r.statusCode() == 202)
            .path("operationId");
    events.lifecycle(
        tenant,
        new OperationStarted(
            vmId, next, CommandType.START, Events.T0.plusSeconds(60), Events.T0.plusSeconds(7)));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> api().get("/v1/operations/" + next).then().body("status", equalTo("RUNNING")));

    // Then the stale event, read before it, changed nothing
    api()
        .get("/v1/operations/" + operationId)
        .then()
        .statusCode(200)
        .body("status", equalTo("SUCCEEDED"))
        .body("step", equalTo("provision"))
        .body("error", nullValue());
  }

  @Test
  void rejectedAndFailedOperationsCarryTheirError() {
    // Given
    String rejected = create();
    String failed = create();

    // When
    events.lifecycle(
        tenant,
        new CommandRejected(
            vmOf(rejected),
            rejected,
            CommandType.CREATE,
            RejectReason.CONFLICT,
            "another operation runs",
            Events.T0));
    events.lifecycle(
        tenant,
        new OperationFailed(
            vmOf(failed),
            failed,
            CommandType.CREATE,
            "provision",
            ErrorType.QUOTA_EXCEEDED,
            "no room",
            Events.T0));

    // Then
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + rejected)
                    .then()
                    .body("status", equalTo("REJECTED"))
                    .body("error.type", equalTo("CONFLICT"))
                    .body("error.message", equalTo("another operation runs")));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + failed)
                    .then()
                    .body("status", equalTo("FAILED"))
                    .body("step", equalTo("provision"))
                    .body("error.type", equalTo("QUOTA_EXCEEDED")));
  }

  @Test
  void succeededOperationsShowTheirResult() {
    // Given a VM, a disk export and a clone of it (one after the other: one operation per VM)
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "src", VmState.RUNNING, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));
    String export =
        api()
            .body("{\"url\":\"file:///var/lib/virtsaga/transfer/src.qcow2\",\"format\":\"qcow2\"}")
            .post("/v1/vms/" + vmId + "/disks/export")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    api().get("/v1/operations/" + export).then().body("result", nullValue());

    // When the export succeeds with its result
    String sha = "ab".repeat(32);
    events.lifecycle(
        tenant,
        new OperationSucceeded(
            vmId,
            export,
            CommandType.DISK_EXPORT,
            Events.T0.plusSeconds(5),
            new OperationResult(
                "file:///var/lib/virtsaga/transfer/src.qcow2",
                "qcow2",
                196_608L,
                sha,
                null,
                null)));

    // Then the operation shows where the image is and its checksum
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + export)
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("SUCCEEDED"))
                    .body("result.location", equalTo("file:///var/lib/virtsaga/transfer/src.qcow2"))
                    .body("result.format", equalTo("qcow2"))
                    .body("result.sizeBytes", equalTo(196_608))
                    .body("result.sha256", equalTo(sha))
                    .body("result.vmId", nullValue()));

    // (the orchestrator's next snapshot shows the export done: the VM is free again)
    VmSnapshot done = Events.snapshot(vmId, tenant, "src", VmState.RUNNING, 2);
    events.snapshot(
        new VmSnapshot(
            vmId,
            tenant,
            done.spec(),
            done.state(),
            done.observedPower(),
            done.conditions(),
            2,
            done.createdAt(),
            done.updatedAt(),
            null,
            export,
            done.providerRef(),
            done.ips(),
            null));

    // When a clone runs and succeeds
    var clone =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    api()
                        .body("{\"name\":\"copy\"}")
                        .post("/v1/vms/" + vmId + "/clone")
                        .then()
                        .extract(),
                r -> r.statusCode() == 202);
    String cloneOp = clone.path("operationId");
    String cloneVmId = clone.path("cloneVmId");
    events.lifecycle(
        tenant,
        new OperationSucceeded(
            vmId,
            cloneOp,
            CommandType.CLONE,
            Events.T0.plusSeconds(9),
            OperationResult.clone(cloneVmId)));

    // Then its result names the new VM, the one the 202 announced
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/operations/" + cloneOp)
                    .then()
                    .body("status", equalTo("SUCCEEDED"))
                    .body("result.vmId", equalTo(cloneVmId))
                    .body("result.location", nullValue()));
  }

  @Test
  void unknownOperationIs404Problem() {
    api()
        .get("/v1/operations/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
  }

  String create() {
    return api().body(CREATE).post("/v1/vms").then().statusCode(202).extract().path("operationId");
  }

  String vmOf(String operationId) {
    return api().get("/v1/operations/" + operationId).then().statusCode(200).extract().path("vmId");
  }

  /**
   * The lifecycle consumer starts at the latest offset once it has partitions: until then events
   * are not seen. Publish probes until one arrives.
   */
  void awaitConsumerLive(SseClient client) {
    String probeVm = UUID.randomUUID().toString();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              events.lifecycle(
                  tenant, new CommandAccepted(probeVm, "probe", CommandType.START, Events.T0));
              assertThat(client.events()).isNotEmpty();
            });
  }
}
