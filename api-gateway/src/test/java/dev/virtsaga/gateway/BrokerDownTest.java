package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.virtsaga.devstack.test.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A broker that never acknowledges: the client gets 503, and may retry with the same key. */
@QuarkusTest
@TestProfile(BrokerDownTest.NoBroker.class)
@WithTestResource(PostgresTestResource.class)
class BrokerDownTest {

  public static class NoBroker implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          // nothing listens on port 1
          "kafka.bootstrap.servers", "127.0.0.1:1",
          "mp.messaging.outgoing.vm-commands.max.block.ms", "1500",
          "mp.messaging.outgoing.vm-commands.delivery.timeout.ms", "3000",
          "mp.messaging.outgoing.vm-commands.request.timeout.ms", "1000");
    }
  }

  @Test
  void createAnswers503ProblemAndTheKeyCanBeRetried() {
    String key = UUID.randomUUID().toString();
    for (int attempt = 0; attempt < 2; attempt++) {
      given()
          .contentType(ContentType.JSON)
          .header("Idempotency-Key", key)
          .body(VmCommandsTest.VALID)
          .post("/v1/vms")
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .body("status", equalTo(503))
          .body("type", equalTo("https://virtsaga.dev/problems/broker-unavailable"));
    }
  }
}
