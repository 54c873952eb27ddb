package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
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

/**
 * Drift: a VM's drift policy from create to response and through reconfigure; an unreachable
 * provider shows as power UNKNOWN; vm.power.drifted reaches the VM's tenant and finishes nothing.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DriftTest {
  static CommandLog commands;
  static Events events;
  String tenant;

  @TestHTTPResource("/v1/events")
  URI eventsUri;

  @BeforeAll
  static void start() {
    commands = CommandLog.start();
    events = new Events();
  }

  @AfterAll
  static void stop() {
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

  static String create(String driftPolicy) {
    return "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":512,\"diskGiB\":1"
        + (driftPolicy == null ? "" : ",\"driftPolicy\":\"" + driftPolicy + "\"")
        + "}";
  }

  @Test
  void aCreatesDriftPolicyIsPublishedAndShown() {
    // When
    String enforced =
        api().body(create("ENFORCE")).post("/v1/vms").then().statusCode(202).extract().path("vmId");
    String defaulted =
        api().body(create(null)).post("/v1/vms").then().statusCode(202).extract().path("vmId");

    // Then
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(2);
    assertThat(published.get(0).spec().driftPolicy()).isEqualTo(DriftPolicy.ENFORCE);
    assertThat(published.get(1).spec().driftPolicy()).isNull();
    api().get("/v1/vms/" + enforced).then().body("spec.driftPolicy", equalTo("ENFORCE"));
    api().get("/v1/vms/" + defaulted).then().body("spec.driftPolicy", equalTo("ADOPT"));

    // ...and the orchestrator's snapshot shows it too
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            Events.spec("alerted").withDriftPolicy(DriftPolicy.ALERT),
            VmState.RUNNING,
            1,
            null,
            null));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(200)
                    .body("spec.driftPolicy", equalTo("ALERT")));
  }

  @Test
  void anUnknownDriftPolicyIs400() {
    for (String policy : List.of("SOMETIMES", "adopt", "")) {
      api()
          .body(create(policy))
          .post("/v1/vms")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("errors.field", hasItem("driftPolicy"))
          .body("errors.message", hasItem("must be one of ADOPT, ENFORCE, ALERT"));
    }
    api()
        .body(
            "{\"name\":\"web-1\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":512,"
                + "\"diskGiB\":1,\"driftPolicy\":3}")
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void reconfigureKeepsTheDriftPolicy() {
    // Given
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            Events.spec("kept").withDriftPolicy(DriftPolicy.ALERT),
            VmState.RUNNING,
            1,
            null,
            null));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));

    // When
    api().body("{\"cpus\":4}").patch("/v1/vms/" + vmId).then().statusCode(202);

    // Then
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).type()).isEqualTo(CommandType.RECONFIGURE);
    assertThat(published.get(0).spec().cpus()).isEqualTo(4);
    assertThat(published.get(0).spec().driftPolicy()).isEqualTo(DriftPolicy.ALERT);
  }

  @Test
  void anUnreachableProviderShowsPowerUnknownAndKeepsTheState() {
    // Given a running VM whose provider cannot be reached, and one whose can
    String unreachable = UUID.randomUUID().toString();
    String reachable = UUID.randomUUID().toString();
    events.snapshot(
        withConditions(
            Events.snapshot(unreachable, tenant, "lost", VmState.RUNNING, 2),
            new Condition(
                "ProviderReachable", false, "Unavailable", "libvirt does not answer", Events.T0)));
    events.snapshot(
        withConditions(
            Events.snapshot(reachable, tenant, "fine", VmState.RUNNING, 2),
            new Condition("ProviderReachable", true, null, null, Events.T0)));

    // Then
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/vms/" + unreachable)
                    .then()
                    .statusCode(200)
                    .body("power", equalTo("UNKNOWN"))
                    .body("state", equalTo("RUNNING"))
                    .body("conditions[0].type", equalTo("ProviderReachable"))
                    .body("conditions[0].status", equalTo(false))
                    .body("conditions[0].reason", equalTo("Unavailable")));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/vms/" + reachable)
                    .then()
                    .statusCode(200)
                    .body("power", equalTo("ON")));
    api()
        .queryParam("state", "RUNNING")
        .get("/v1/vms")
        .then()
        .body("items.find { it.id == '" + unreachable + "' }.power", equalTo("UNKNOWN"));
  }

  @Test
  void aPowerDriftReachesTheTenantAndFinishesNoOperation() throws Exception {
    // Given a VM with a command of ours in flight
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "drifty", VmState.STOPPED, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));
    String operationId =
        api()
            .post("/v1/vms/" + vmId + "/actions/start")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    try (SseClient sse = SseClient.open(URI.create(eventsUri + "?vmId=" + vmId), tenant);
        SseClient stranger = SseClient.open(eventsUri, tenant + "-stranger")) {
      awaitConsumerLive(sse, vmId);

      // When (a drift naming the operation, as if it were its own)
      events.lifecycle(
          tenant,
          new PowerDrifted(
              vmId,
              VmState.STOPPED,
              PowerState.OFF,
              PowerState.ON,
              DriftPolicy.ALERT,
              operationId,
              Events.T0));

      // Then the tenant's subscriber gets it
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(sse.events())
                      .extracting(SseClient.Event::name)
                      .contains(EventCatalog.POWER_DRIFTED));
      SseClient.Event drifted =
          sse.events().stream()
              .filter(e -> EventCatalog.POWER_DRIFTED.equals(e.name()))
              .findFirst()
              .orElseThrow();
      JsonNode data = Json.mapper().readTree(drifted.data());
      assertThat(data.get("vmId").asText()).isEqualTo(vmId);
      assertThat(data.get("expected").asText()).isEqualTo("OFF");
      assertThat(data.get("observed").asText()).isEqualTo("ON");
      assertThat(data.get("policy").asText()).isEqualTo("ALERT");
      assertThat(stranger.events())
          .extracting(SseClient.Event::name)
          .doesNotContain(EventCatalog.POWER_DRIFTED);
    }

    // ...and the operation neither finished nor freed the VM
    api().get("/v1/operations/" + operationId).then().body("status", equalTo("ACCEPTED"));
    api().post("/v1/vms/" + vmId + "/actions/stop").then().statusCode(409);
  }

  /** The lifecycle consumer starts at the latest offset: publish probes until one arrives. */
  void awaitConsumerLive(SseClient client, String vmId) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              events.lifecycle(
                  tenant, new CommandAccepted(vmId, "probe", CommandType.START, Events.T0));
              assertThat(client.events()).isNotEmpty();
            });
  }

  static VmSnapshot withConditions(VmSnapshot s, Condition... conditions) {
    return new VmSnapshot(
        s.vmId(),
        s.tenantId(),
        s.spec(),
        s.state(),
        s.observedPower(),
        List.of(conditions),
        s.version(),
        s.createdAt(),
        s.updatedAt(),
        s.operation(),
        s.lastOperationId(),
        s.providerRef(),
        s.ips(),
        s.lastError());
  }
}
