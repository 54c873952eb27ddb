package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.gateway.mapping.ProjectLabels;
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
 * Adoption candidates from observations the test publishes on the real vm.observations.v1, and
 * adopting (ADOPT commands read back from vm.commands.v1) and dismissing them, with their audit.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class AdoptionsTest {
  static final String ADOPT =
      """
      {"cpus":2,"memoryMiB":1024,"diskGiB":10,"driftPolicy":"ENFORCE","labels":{"team":"a"}}
      """;

  static CommandLog commands;
  static Events events;

  /** The VM's future tenant. */
  String tenant;

  /** The administrator's tenant (the caller). */
  String admin;

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
  void freshTenants() {
    tenant = "t-" + UUID.randomUUID();
    admin = "admin-" + UUID.randomUUID();
  }

  RequestSpecification api() {
    return given().header(Tenant.HEADER, admin).contentType(ContentType.JSON);
  }

  static VmObserved seen(String vmId, String provider, VmObserved.Kind kind, PowerState power) {
    return new VmObserved(
        vmId,
        provider,
        kind,
        power,
        Instant.now(),
        "rv-1",
        List.of("10.1.0.7"),
        "Web Server 01",
        "host-b",
        false);
  }

  /** A fresh candidate, PENDING and listed. */
  String candidate(PowerState power) {
    String vmId = UUID.randomUUID().toString();
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.ADDED, power));
    awaitListed(vmId);
    return vmId;
  }

  void awaitListed(String vmId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/adoptions")
                    .then()
                    .statusCode(200)
                    .body("items.vmId", hasItem(vmId)));
  }

  void awaitStatus(String vmId, String status) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/adoptions/" + vmId)
                    .then()
                    .statusCode(200)
                    .body("status", equalTo(status)));
  }

  /** A fresh unknown VM observed after everything published so far for {@code vmId}. */
  void probeAfter(String vmId) {
    String probe = Events.samePartitionAs(vmId);
    events.observed(seen(probe, "libvirt", VmObserved.Kind.ADDED, PowerState.ON));
    awaitListed(probe);
  }

  @Test
  void anObservedUnknownVmIsACandidateUntilItIsDeleted() {
    // When
    String vmId = UUID.randomUUID().toString();
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.ADDED, PowerState.ON));

    // Then
    awaitListed(vmId);
    api()
        .get("/v1/adoptions/" + vmId)
        .then()
        .statusCode(200)
        .body("vmId", equalTo(vmId))
        .body("provider", equalTo("libvirt"))
        .body("power", equalTo("ON"))
        .body("ips", contains("10.1.0.7"))
        .body("providerRef", equalTo("Web Server 01"))
        .body("host", equalTo("host-b"))
        .body("status", equalTo("PENDING"));

    // When it changes, then goes
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.MODIFIED, PowerState.OFF));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> api().get("/v1/adoptions/" + vmId).then().body("power", equalTo("OFF")));
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.DELETED, PowerState.NOT_FOUND));

    // Then
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                api()
                    .get("/v1/adoptions/" + vmId)
                    .then()
                    .statusCode(404)
                    .contentType("application/problem+json"));
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));
  }

  @Test
  void aManagedVmIsNoCandidate() {
    // Given a VM the read model knows
    String vmId = UUID.randomUUID().toString();
    events.snapshot(Events.snapshot(vmId, tenant, "known", VmState.RUNNING, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .header(Tenant.HEADER, tenant)
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(200));

    // When the watcher reports it
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.ADDED, PowerState.ON));
    probeAfter(vmId);

    // Then
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));
    api().get("/v1/adoptions/" + vmId).then().statusCode(404);
  }

  @Test
  void listingFiltersByProvider() {
    String onLab = UUID.randomUUID().toString();
    events.observed(seen(onLab, "lab", VmObserved.Kind.ADDED, PowerState.OFF));
    String onLibvirt = candidate(PowerState.ON);
    awaitListed(onLab);

    api()
        .queryParam("provider", "lab")
        .get("/v1/adoptions")
        .then()
        .statusCode(200)
        .body("items.vmId", hasItem(onLab))
        .body("items.vmId", not(hasItem(onLibvirt)))
        .body("items.provider", not(hasItem("libvirt")));
  }

  @Test
  void otherObservationsAndUnreadableRecordsAreSkipped() {
    // Given garbage, a relist report and an observation without power ahead of a good one
    String vmId = UUID.randomUUID().toString();
    events.raw(Topics.OBSERVATIONS, vmId, "{not json");
    events.observation(
        vmId, new WatcherRelisted("libvirt", "gone", "rv-9", 3, 0, 12, Instant.now()));
    events.observed(
        new VmObserved(
            vmId,
            "libvirt",
            VmObserved.Kind.ADDED,
            null,
            Instant.now(),
            null,
            null,
            null,
            null,
            null));

    // When
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.ADDED, PowerState.PAUSED));

    // Then
    awaitListed(vmId);
    api().get("/v1/adoptions/" + vmId).then().body("power", equalTo("PAUSED"));
  }

  @Test
  void adoptingPublishesAnAdoptCommandAnd202AndIsAudited() {
    // Given
    String vmId = candidate(PowerState.ON);

    // When
    ExtractableResponse<Response> r =
        api()
            .header("X-Request-Id", "req-adopt-1")
            .body(
                "{\"tenantId\":\""
                    + tenant
                    + "\",\"cpus\":2,\"memoryMiB\":1024,\"diskGiB\":10,"
                    + "\"driftPolicy\":\"ENFORCE\",\"labels\":{\"team\":\"a\"}}")
            .post("/v1/adoptions/" + vmId)
            .then()
            .statusCode(202)
            .contentType(ContentType.JSON)
            .body("status", equalTo("ACCEPTED"))
            .body("vmId", equalTo(vmId))
            .extract();
    String operationId = r.path("operationId");

    // Then: the ADOPT command, as the orchestrator will read it
    assertThat(r.header("Location")).endsWith("/v1/operations/" + operationId);
    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    CloudEvent event = published.get(0);
    assertThat(event.type()).isEqualTo(EventCatalog.VM_COMMAND);
    assertThat(event.subject()).isEqualTo(vmId);
    assertThat(event.extension(CloudEvent.EXT_REQUEST_ID)).isEqualTo("req-adopt-1");
    assertThat(EventSchemas.validate(event.type(), event.data())).isEmpty();
    VmCommand command = event.payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.ADOPT);
    assertThat(command.vmId()).isEqualTo(vmId);
    assertThat(command.operationId()).isEqualTo(operationId);
    assertThat(command.tenantId()).isEqualTo(tenant);
    assertThat(command.spec().name()).isEqualTo("web-server-01");
    assertThat(command.spec().provider()).isEqualTo("libvirt");
    assertThat(command.spec().host()).isEqualTo("host-b");
    assertThat(command.spec().cpus()).isEqualTo(2);
    assertThat(command.spec().memoryMiB()).isEqualTo(1024);
    assertThat(command.spec().diskGiB()).isEqualTo(10);
    assertThat(command.spec().driftPolicy()).isEqualTo(DriftPolicy.ENFORCE);
    assertThat(command.spec().labels())
        .containsEntry("team", "a")
        .containsEntry(ProjectLabels.TENANT, tenant);
    assertThat(command.adopt().power()).isEqualTo(PowerState.ON);
    assertThat(command.adopt().providerRef()).isEqualTo("Web Server 01");
    assertThat(command.adopt().ips()).containsExactly("10.1.0.7");

    // ...the operation is the new owner's
    given()
        .header(Tenant.HEADER, tenant)
        .get("/v1/operations/" + operationId)
        .then()
        .statusCode(200)
        .body("type", equalTo("ADOPT"))
        .body("status", equalTo("ACCEPTED"))
        .body("vmId", equalTo(vmId));

    // ...the candidate is adopted, no longer listed
    api()
        .get("/v1/adoptions/" + vmId)
        .then()
        .body("status", equalTo("ADOPTED"))
        .body("tenantId", equalTo(tenant))
        .body("operationId", equalTo(operationId));
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));

    // ...and audited
    api()
        .queryParam("vmId", vmId)
        .get("/v1/adoptions/audit")
        .then()
        .statusCode(200)
        .body("items", hasSize(1))
        .body("items[0].vmId", equalTo(vmId))
        .body("items[0].action", equalTo("ADOPTED"))
        .body("items[0].actor.tenant", equalTo(admin))
        .body("items[0].actor.requestId", equalTo("req-adopt-1"))
        .body("items[0].details.operationId", equalTo(operationId))
        .body("items[0].details.tenantId", equalTo(tenant))
        .body("items[0].details.request.cpus", equalTo(2))
        .body("items[0].details.candidate.power", equalTo("ON"));
  }

  @Test
  void theVmGoesToTheCallersTenantAndGetsANameFromItsIdWithoutProviderRef() {
    // Given a candidate the hypervisor names not
    String vmId = UUID.randomUUID().toString();
    events.observed(
        new VmObserved(
            vmId,
            "libvirt",
            VmObserved.Kind.ADDED,
            PowerState.OFF,
            Instant.now(),
            null,
            null,
            null,
            null,
            null));
    awaitListed(vmId);

    // When
    api()
        .body("{\"cpus\":1,\"memoryMiB\":512}")
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(202);

    // Then
    commands.flush();
    List<VmCommand> published = commands.commands(admin);
    assertThat(published).hasSize(1);
    VmCommand command = published.get(0);
    assertThat(command.tenantId()).isEqualTo(admin);
    assertThat(command.spec().name()).isEqualTo(vmId);
    assertThat(command.spec().diskGiB()).isZero();
    assertThat(command.spec().host()).isNull();
    assertThat(command.spec().effectiveDriftPolicy()).isEqualTo(DriftPolicy.ADOPT);
    assertThat(command.adopt().power()).isEqualTo(PowerState.OFF);
    assertThat(command.adopt().providerRef()).isNull();
  }

  @Test
  void adoptingTwiceIs409AndTheSameIdempotencyKeyReplays() {
    // Given
    String vmId = candidate(PowerState.ON);
    String key = UUID.randomUUID().toString();
    String first =
        api()
            .header("Idempotency-Key", key)
            .body(ADOPT)
            .post("/v1/adoptions/" + vmId)
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // When / Then
    api()
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/candidate-not-pending"))
        .body("detail", containsString("ADOPTED"));
    api()
        .header("Idempotency-Key", key)
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(202)
        .body("operationId", equalTo(first));
    api().delete("/v1/adoptions/" + vmId).then().statusCode(409);
    commands.flush();
    assertThat(commands.commands(admin)).hasSize(1);
    api().queryParam("vmId", vmId).get("/v1/adoptions/audit").then().body("items", hasSize(1));
  }

  @Test
  void aRefusedAdoptionMakesTheCandidatePendingAgain() {
    // Given an adoption the orchestrator refuses
    String vmId = candidate(PowerState.ON);
    String first =
        api()
            .body(ADOPT)
            .post("/v1/adoptions/" + vmId)
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");

    // When
    events.lifecycle(
        admin,
        new CommandRejected(
            vmId, first, CommandType.ADOPT, RejectReason.INVALID, "power UNKNOWN", Instant.now()));

    // Then
    awaitStatus(vmId, "PENDING");
    awaitListed(vmId);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> api().get("/v1/operations/" + first).then().body("status", equalTo("REJECTED")));
    String second =
        api()
            .body(ADOPT)
            .post("/v1/adoptions/" + vmId)
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    assertThat(second).isNotEqualTo(first);
    api()
        .queryParam("vmId", vmId)
        .get("/v1/adoptions/audit")
        .then()
        .body("items.action", contains("ADOPTED", "ADOPTED"))
        .body("items.details.operationId", contains(second, first));
  }

  @Test
  void aCandidateWithUnknownPowerIsNotAdopted() {
    String vmId = candidate(PowerState.UNKNOWN);

    api()
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/candidate-power-unknown"));
    api().get("/v1/adoptions/" + vmId).then().body("status", equalTo("PENDING"));
  }

  @Test
  void aCandidateVirtSagaNowManagesIsNeitherListedNorAdopted() {
    // Given a candidate that then shows up in vm.state (adopted through another gateway, say)
    String vmId = candidate(PowerState.ON);
    events.snapshot(Events.snapshot(vmId, tenant, "web", VmState.RUNNING, 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .header(Tenant.HEADER, tenant)
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(200));

    // Then
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));
    api()
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/vm-exists"));
    api().get("/v1/adoptions/" + vmId).then().body("status", equalTo("PENDING"));
  }

  @Test
  void dismissingHidesTheCandidateForGoodAndIsAudited() {
    // Given
    String vmId = candidate(PowerState.ON);

    // When
    api()
        .header("X-Request-Id", "req-dismiss")
        .delete("/v1/adoptions/" + vmId)
        .then()
        .statusCode(204);

    // Then
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));
    api().get("/v1/adoptions/" + vmId).then().body("status", equalTo("DISMISSED"));
    api()
        .queryParam("vmId", vmId)
        .get("/v1/adoptions/audit")
        .then()
        .body("items", hasSize(1))
        .body("items[0].action", equalTo("DISMISSED"))
        .body("items[0].actor.tenant", equalTo(admin))
        .body("items[0].actor.requestId", equalTo("req-dismiss"))
        .body("items[0].details.candidate.provider", equalTo("libvirt"));

    // ...and a later observation does not bring it back (it is recorded, though)
    events.observed(seen(vmId, "libvirt", VmObserved.Kind.MODIFIED, PowerState.OFF));
    probeAfter(vmId);
    api().get("/v1/adoptions").then().body("items.vmId", not(hasItem(vmId)));
    api()
        .get("/v1/adoptions/" + vmId)
        .then()
        .body("status", equalTo("DISMISSED"))
        .body("power", equalTo("OFF"));

    // ...dismissing again changes nothing; adopting it is refused
    api().delete("/v1/adoptions/" + vmId).then().statusCode(204);
    api().queryParam("vmId", vmId).get("/v1/adoptions/audit").then().body("items", hasSize(1));
    api()
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(409)
        .body("type", equalTo("https://virtsaga.dev/problems/candidate-not-pending"));
    commands.flush();
    assertThat(commands.commands(admin)).isEmpty();
  }

  @Test
  void unknownCandidatesAre404Problems() {
    String vmId = UUID.randomUUID().toString();

    api()
        .delete("/v1/adoptions/" + vmId)
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-found"));
    api()
        .body(ADOPT)
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    api().get("/v1/adoptions/" + vmId).then().statusCode(404);
    api().queryParam("vmId", vmId).get("/v1/adoptions/audit").then().body("items", hasSize(0));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"memoryMiB\":1024}",
        "{\"cpus\":0,\"memoryMiB\":1024}",
        "{\"cpus\":2,\"memoryMiB\":10}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"diskGiB\":-1}",
        "{\"cpus\":\"two\",\"memoryMiB\":1024}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"driftPolicy\":\"SOMETIMES\"}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"driftPolicy\":\"adopt\"}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"name\":\"Not_A_Label\"}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"tenantId\":\"bad tenant!\"}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"colour\":\"red\"}",
        "{\"cpus\":2,\"memoryMiB\":1024,\"labels\":{\"virtsaga.dev/tenant\":\"x\"}}",
        "not json",
        "[]",
        ""
      })
  void badAdoptBodiesAre400ProblemsAndChangeNothing(String body) {
    // Given
    String vmId = candidate(PowerState.ON);

    // When
    api()
        .body(body)
        .post("/v1/adoptions/" + vmId)
        .then()
        // Then
        .statusCode(400)
        .contentType("application/problem+json")
        .body("status", equalTo(400))
        .body("type", equalTo("https://virtsaga.dev/problems/invalid-request"));
    api().get("/v1/adoptions/" + vmId).then().body("status", equalTo("PENDING"));
    api().queryParam("vmId", vmId).get("/v1/adoptions/audit").then().body("items", hasSize(0));
    commands.flush();
    assertThat(commands.commands(admin)).isEmpty();
  }

  @Test
  void validationErrorsNameTheFields() {
    String vmId = candidate(PowerState.ON);

    api()
        .body("{\"cpus\":0,\"memoryMiB\":10,\"driftPolicy\":\"NEVER\"}")
        .post("/v1/adoptions/" + vmId)
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("cpus"))
        .body("errors.field", hasItem("memoryMiB"))
        .body("errors.field", hasItem("driftPolicy"))
        .body("errors.message", hasItem("must be one of ADOPT, ENFORCE, ALERT"));
    given()
        .header(Tenant.HEADER, "bad tenant!")
        .get("/v1/adoptions")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    api().queryParam("limit", 0).get("/v1/adoptions/audit").then().statusCode(400);
  }
}
