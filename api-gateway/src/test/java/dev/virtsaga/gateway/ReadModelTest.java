package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read model follows snapshots the test publishes on the real vm.state.v1. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ReadModelTest {
  static Events events;
  String tenant;

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
    return given().header(Tenant.HEADER, tenant);
  }

  @Test
  void snapshotsAreServedAndOlderVersionsIgnored() {
    // Given
    String vmId = UUID.randomUUID().toString();
    VmSnapshot v3 = Events.snapshot(vmId, tenant, "db-1", VmState.RUNNING, 3);
    VmSnapshot withError =
        new VmSnapshot(
            v3.vmId(),
            v3.tenantId(),
            v3.spec(),
            v3.state(),
            v3.observedPower(),
            v3.conditions(),
            v3.version(),
            v3.createdAt(),
            v3.updatedAt(),
            null,
            "op-9",
            v3.providerRef(),
            v3.ips(),
            TaskError.of(ErrorType.TIMEOUT, "slow"));

    // When
    events.snapshot(withError);
    events.snapshot(Events.snapshot(vmId, tenant, "db-1", VmState.STOPPED, 2));
    String probe = Events.samePartitionAs(vmId);
    events.snapshot(Events.snapshot(probe, tenant, "probe", VmState.STOPPED, 1));

    // Then: once a later record of the same partition is visible, the stale v2 has been read
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + probe).then().statusCode(200));
    api()
        .get("/v1/vms/" + vmId)
        .then()
        .statusCode(200)
        .body("id", equalTo(vmId))
        .body("name", equalTo("db-1"))
        .body("provider", equalTo("libvirt"))
        .body("state", equalTo("RUNNING"))
        .body("power", equalTo("ON"))
        .body("version", equalTo(3))
        .body("ips", contains("10.0.0.5"))
        .body("lastOperationId", equalTo("op-9"))
        .body("lastError.type", equalTo("TIMEOUT"))
        .body("spec.memoryMiB", equalTo(512))
        .body("createdAt", equalTo("2026-11-22T10:00:00Z"));
  }

  @Test
  void tombstoneRemovesTheVm() {
    // Given
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "gone", VmState.STOPPED, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));

    // When
    events.tombstone(vmId);

    // Then
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json"));
    api().get("/v1/vms").then().body("total", equalTo(0));
  }

  @Test
  void listIsTenantScopedFilteredByStateAndPagedInAStableOrder() {
    // Given three VMs of our tenant (created in order) and one of another tenant
    String[] ids = new String[3];
    for (int i = 0; i < 3; i++) {
      ids[i] = UUID.randomUUID().toString();
      VmSnapshot s =
          Events.snapshot(ids[i], tenant, "vm-" + i, i == 1 ? VmState.STOPPED : VmState.RUNNING, 1);
      events.snapshot(
          new VmSnapshot(
              s.vmId(),
              s.tenantId(),
              s.spec(),
              s.state(),
              s.observedPower(),
              s.conditions(),
              s.version(),
              Events.T0.plusSeconds(i),
              s.updatedAt(),
              null,
              null,
              null,
              null,
              null));
    }
    events.snapshot(
        Events.snapshot(UUID.randomUUID().toString(), tenant + "-other", "x", VmState.RUNNING, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms").then().body("total", equalTo(3)));

    // Then
    api()
        .get("/v1/vms")
        .then()
        .statusCode(200)
        .body("items.id", contains(ids[0], ids[1], ids[2]))
        .body("offset", equalTo(0))
        .body("limit", equalTo(50));
    api()
        .queryParam("state", "running")
        .get("/v1/vms")
        .then()
        .body("items.id", contains(ids[0], ids[2]))
        .body("total", equalTo(2));
    api()
        .queryParam("limit", 2)
        .queryParam("offset", 1)
        .get("/v1/vms")
        .then()
        .body("items.id", contains(ids[1], ids[2]))
        .body("total", equalTo(3));
    api().queryParam("offset", 5).get("/v1/vms").then().body("items", hasSize(0));
    api().queryParam("state", "NAPPING").get("/v1/vms").then().statusCode(400);
    api().queryParam("limit", "lots").get("/v1/vms").then().statusCode(400);
    api().queryParam("limit", 0).get("/v1/vms").then().statusCode(400);
  }

  @Test
  void malformedRecordsAreSkippedAndTheStreamGoesOn() {
    // Given garbage and a snapshot without a tenant on the state topic, ahead of a good snapshot
    String vmId = UUID.randomUUID().toString();
    events.raw(Topics.STATE, vmId, "{not json");
    VmSnapshot good = Events.snapshot(vmId, tenant, "ok", VmState.RUNNING, 1);
    events.snapshot(
        new VmSnapshot(
            vmId,
            null,
            good.spec(),
            good.state(),
            good.observedPower(),
            good.conditions(),
            9,
            good.createdAt(),
            good.updatedAt(),
            null,
            null,
            null,
            null,
            null));
    events.raw(Topics.LIFECYCLE, vmId, "garbage");

    // When
    events.snapshot(good);

    // Then
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> api().get("/v1/vms/" + vmId).then().statusCode(200).body("version", equalTo(1)));
  }

  @Test
  void unknownVmIs404Problem() {
    api()
        .get("/v1/vms/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("status", equalTo(404))
        .body("title", equalTo("Not found"));
  }
}
