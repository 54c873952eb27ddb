package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.state.VmSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Providers declare what they can do; the gateway refuses the rest up front. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ProvidersTest {

  @Test
  void aCommandTheProviderDeclaresItLacksIsRefusedUpFrontAndPublishesNothing() {
    // Given a provider (its own name, so other tests are unaffected) that cannot suspend
    String provider = "p" + UUID.randomUUID().toString().substring(0, 8);
    String tenant = "t-" + UUID.randomUUID();
    String vmId = UUID.randomUUID().toString();
    try (EventPublisher publisher = new EventPublisher(KafkaTestResource.bootstrapServers())) {
      ProviderStatus status =
          new ProviderStatus(
              provider, List.of("REBOOT"), ProviderHealth.HEALTHY, Instant.now(), null);
      publisher.send(
          Topics.PROVIDERS, provider, CloudEvent.of("/test/worker", provider, status, Map.of()));
      VmSnapshot vm = Events.snapshot(vmId, tenant, "box", VmState.RUNNING, 3);
      VmSnapshot onProvider =
          new VmSnapshot(
              vm.vmId(),
              vm.tenantId(),
              new VmSpec("box", provider, 1, 128, 0, null, null),
              vm.state(),
              vm.observedPower(),
              vm.conditions(),
              vm.version(),
              vm.createdAt(),
              vm.updatedAt(),
              null,
              null,
              null,
              null,
              null);
      publisher.send(
          Topics.STATE,
          vmId,
          CloudEvent.of(
              "/test/orchestrator", vmId, onProvider, Map.of(CloudEvent.EXT_TENANT_ID, tenant)));
    }
    // Then GET /v1/providers shows it
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/v1/providers")
                    .then()
                    .statusCode(200)
                    .body("items.find { it.name == '" + provider + "' }.health", equalTo("HEALTHY"))
                    .body(
                        "items.find { it.name == '" + provider + "' }.capabilities",
                        equalTo(List.of("REBOOT"))));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .header(Tenant.HEADER, tenant)
                    .get("/v1/vms/" + vmId)
                    .then()
                    .statusCode(200));
    // When the VM is asked to suspend, Then 422 not-supported; reboot is accepted
    given()
        .header(Tenant.HEADER, tenant)
        .contentType("application/json")
        .post("/v1/vms/" + vmId + "/actions/suspend")
        .then()
        .statusCode(422)
        .contentType(containsString("application/problem+json"))
        .body("type", containsString("not-supported"))
        .body("detail", containsString("does not support suspend"));
    given()
        .header(Tenant.HEADER, tenant)
        .contentType("application/json")
        .post("/v1/vms/" + vmId + "/actions/reboot")
        .then()
        .statusCode(202);
  }
}
