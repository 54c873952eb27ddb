package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OpenApiAndHealthTest {

  @Test
  void openApiDocumentsEveryEndpoint() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("paths", hasKey("/v1/vms"))
        .body("paths", hasKey("/v1/vms/{id}"))
        .body("paths", hasKey("/v1/vms/{id}/actions/{action}"))
        .body("paths", hasKey("/v1/operations/{id}"))
        .body("paths", hasKey("/v1/events"))
        .body("paths", hasKey("/v1/vms/{id}/clone"))
        .body("paths", hasKey("/v1/vms/{id}/migrate"))
        .body("paths.'/v1/vms/{id}/migrate'", hasKey("post"))
        .body("paths.'/v1/vms/{id}/migrate'", hasKey("delete"))
        .body("paths", hasKey("/v1/vms/{id}/disks"))
        .body("paths", hasKey("/v1/vms/{id}/disks/export"))
        .body("paths", hasKey("/v1/disks/import"))
        .body("paths", hasKey("/v1/projects"))
        .body("paths.'/v1/projects'", hasKey("get"))
        .body("paths", hasKey("/v1/projects/{name}"))
        .body("paths.'/v1/adoptions'", hasKey("get"))
        .body("paths.'/v1/adoptions/audit'", hasKey("get"))
        .body("paths.'/v1/adoptions/{vmId}'", hasKey("get"))
        .body("paths.'/v1/adoptions/{vmId}'", hasKey("post"))
        .body("paths.'/v1/adoptions/{vmId}'", hasKey("delete"))
        .body(
            "paths.'/v1/adoptions/{vmId}'.post.responses.'409'.$ref",
            equalTo("#/components/responses/Problem409"))
        .body("components.schemas.AdoptVmRequest.properties", hasKey("driftPolicy"))
        .body("components.schemas.CreateVmRequest.properties", hasKey("driftPolicy"))
        .body("components.schemas.VmSpec.properties", hasKey("driftPolicy"))
        .body(
            "paths.'/v1/projects'.post.responses.'409'.$ref",
            equalTo("#/components/responses/Problem409"))
        .body(
            "paths.'/v1/projects'.post.responses.'202'.content.'application/json'.schema.$ref",
            equalTo("#/components/schemas/ProjectAccepted"))
        .body("components.schemas.ProjectRequest.properties", hasKey("project_name"))
        .body("components.schemas.ProjectInstance.properties", hasKey("number_of_instances"))
        .body("components.schemas.ProjectInstance.properties", hasKey("hypervisor_group"))
        .body("components.schemas.Project.properties", hasKey("summary"))
        .body(
            "paths.'/v1/vms/{id}/clone'.post.responses.'202'.$ref",
            equalTo("#/components/responses/Accepted"))
        .body(
            "paths.'/v1/disks/import'.post.responses.'422'.$ref",
            equalTo("#/components/responses/Problem422"))
        .body(
            "paths.'/v1/vms/{id}/disks'.get.responses.'503'.$ref",
            equalTo("#/components/responses/Problem503"))
        .body("components.schemas.CommandReceipt.properties", hasKey("cloneVmId"))
        .body("components.schemas.Operation.properties", hasKey("result"))
        .body("components.schemas", hasKey("ImportDiskRequest"))
        .body("paths.'/v1/vms'.post.responses", hasKey("202"))
        .body("paths.'/v1/vms'.post.responses", hasKey("400"))
        .body(
            "paths.'/v1/vms'.post.responses.'400'.$ref",
            equalTo("#/components/responses/Problem400"))
        .body(
            "paths.'/v1/vms'.post.responses.'202'.$ref", equalTo("#/components/responses/Accepted"))
        .body(
            "components.responses.Accepted.content.'application/json'.schema.$ref",
            equalTo("#/components/schemas/CommandReceipt"))
        .body("components.responses", hasKey("Problem409"))
        .body(
            "components.responses.Problem409.content.'application/problem+json'.schema.$ref",
            equalTo("#/components/schemas/Problem"));
  }

  @Test
  void readyOnceTheReadModelHasCaughtUp() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                given()
                    .get("/q/health/ready")
                    .then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body("checks.name", hasItem("read-model")));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void unknownPathsAndMethodsAreProblems() {
    given().get("/v1/nothing").then().statusCode(404).contentType("application/problem+json");
    given()
        .contentType("text/plain")
        .body("hi")
        .post("/v1/vms")
        .then()
        .statusCode(415)
        .contentType("application/problem+json");
  }
}
