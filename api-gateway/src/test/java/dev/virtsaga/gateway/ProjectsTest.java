package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /v1/projects} and {@code GET /v1/projects/{name}} on the real broker and database:
 * the fan-out into creates, replays, refusals that publish nothing, and progress per VM.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class ProjectsTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3x0yZJ+qYbCq0 me@laptop";

  /** The seed's format: a VirtFusion instance of 3 and a libvirt instance of 3. */
  static final String TWO_BY_THREE =
      """
      {"project_name":"talis-test","instances":[
        {"name":"web","provider":"virtfusion","number_of_instances":3,"provision":false,
         "hypervisor_group":"Prague",
         "resources":{"memory":1024,"disk":25,"cpu":1},"template":"ubuntu-22.04",
         "ssh_key_name":"default","ssh_public_key":"%s",
         "network":{"profile_id":2,"bandwidth":1000,"public_ip":true,"firewall_rulesets":[2,3]},
         "volumes":[]},
        {"name":"db","provider":"libvirt","number_of_instances":3,"hypervisor_group":"h1",
         "resources":{"memory":2048,"disk":40,"cpu":2}}
      ]}
      """
          .formatted(SSH_KEY);

  static CommandLog commands;
  static Events events;
  String tenant;

  @Inject Pool pool;

  @BeforeAll
  static void startRecording() {
    commands = CommandLog.start();
    events = new Events();
    // a provider without root disks: a create with a disk is refused up front
    events.provider(
        new ProviderStatus("nodisk", List.of(), ProviderHealth.HEALTHY, Instant.now(), null));
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

  static String project(String name, String instances) {
    return "{\"project_name\":\"" + name + "\",\"instances\":[" + instances + "]}";
  }

  static String instance(String name, String provider, int count, String extra) {
    return "{\"name\":\""
        + name
        + "\",\"provider\":\""
        + provider
        + "\",\"number_of_instances\":"
        + count
        + ",\"resources\":{\"memory\":512,\"disk\":1,\"cpu\":1}"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  @Test
  void aProjectOfTwoInstancesOfThreePublishesSixCreatesWithTheirSpecsAndLabels() {
    // When
    ExtractableResponse<Response> r =
        api()
            .header("X-Request-Id", "req-p1")
            .body(TWO_BY_THREE)
            .post("/v1/projects")
            .then()
            .statusCode(202)
            .contentType(ContentType.JSON)
            .body("project_name", equalTo("talis-test"))
            .extract();

    // Then the answer names every VM, in request order
    assertThat(r.header("Location")).isEqualTo("/v1/projects/talis-test");
    List<Map<String, String>> vms = r.path("vms");
    assertThat(vms)
        .extracting(v -> v.get("name"))
        .containsExactly("web-1", "web-2", "web-3", "db-1", "db-2", "db-3");
    assertThat(vms)
        .extracting(v -> v.get("instance"))
        .containsExactly("web", "web", "web", "db", "db", "db");
    // ...and six creates were published, one per VM, with the answered ids
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(6).allMatch(c -> c.type() == CommandType.CREATE);
    assertThat(published).allMatch(c -> "req-p1".equals(c.requestId()));
    commands
        .events(tenant)
        .forEach(e -> assertThat(EventSchemas.validate(e.type(), e.data())).isEmpty());
    Map<String, VmCommand> byName =
        published.stream().collect(Collectors.toMap(c -> c.spec().name(), Function.identity()));
    for (Map<String, String> vm : vms) {
      VmCommand c = byName.get(vm.get("name"));
      assertThat(c.vmId()).isEqualTo(vm.get("vmId"));
      assertThat(c.operationId()).isEqualTo(vm.get("operationId"));
      assertThat(c.tenantId()).isEqualTo(tenant);
    }

    VmSpec web = byName.get("web-2").spec();
    assertThat(web.provider()).isEqualTo("virtfusion");
    assertThat(web.cpus()).isEqualTo(1);
    assertThat(web.memoryMiB()).isEqualTo(1024);
    assertThat(web.diskGiB()).isEqualTo(25);
    assertThat(web.image()).isEqualTo("ubuntu-22.04");
    assertThat(web.host()).isNull();
    assertThat(web.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "virtsaga.dev/tenant", tenant,
                "virtsaga.dev/project", "talis-test",
                "virtsaga.dev/ssh-key-name", "default",
                "virtsaga.dev/ssh-public-key", SSH_KEY,
                "virtfusion.dev/hypervisor-group", "Prague",
                "virtfusion.dev/network-profile", "2",
                "virtfusion.dev/bandwidth-mbps", "1000",
                "virtfusion.dev/public-ip", "true",
                "virtfusion.dev/firewall-rulesets", "2,3"));

    VmSpec db = byName.get("db-3").spec();
    assertThat(db.provider()).isEqualTo("libvirt");
    assertThat(db.cpus()).isEqualTo(2);
    assertThat(db.memoryMiB()).isEqualTo(2048);
    assertThat(db.diskGiB()).isEqualTo(40);
    assertThat(db.image()).isNull();
    assertThat(db.host()).isEqualTo("h1");
    assertThat(db.labels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("virtsaga.dev/tenant", tenant, "virtsaga.dev/project", "talis-test"));
  }

  @Test
  void hypervisorIdIsTheVirtFusionGroupAndOneVmKeepsTheInstanceName() {
    // When
    api()
        .body(project("solo", instance("box", "virtfusion", 1, "\"hypervisor_id\":7")))
        .post("/v1/projects")
        .then()
        .statusCode(202)
        .body("vms[0].name", equalTo("box"));

    // Then
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).spec().name()).isEqualTo("box");
    assertThat(published.get(0).spec().labels())
        .containsEntry("virtfusion.dev/hypervisor-group", "7");
  }

  @Test
  void theSameRequestAgainPublishesNothingNewAndAnswersTheSameVms() {
    // Given
    List<Map<String, String>> first =
        api().body(TWO_BY_THREE).post("/v1/projects").then().statusCode(202).extract().path("vms");

    // When the same request is sent again, spelled differently (key order, defaults written out)
    String respelled =
        """
        {"instances":[
          {"provider":"virtfusion","name":"web","number_of_instances":3,
           "hypervisor_group":"Prague","template":"ubuntu-22.04",
           "resources":{"cpu":1,"disk":25,"memory":1024},
           "ssh_key_name":"default","ssh_public_key":"%s",
           "network":{"firewall_rulesets":[2,3],"public_ip":true,"bandwidth":1000,"profile_id":2}},
          {"name":"db","provider":"libvirt","number_of_instances":3,"hypervisor_group":"h1",
           "provision":false,"resources":{"memory":2048,"disk":40,"cpu":2},"volumes":[]}
        ],"project_name":"talis-test"}
        """
            .formatted(SSH_KEY);
    List<Map<String, String>> again =
        api()
            .body(respelled)
            .post("/v1/projects")
            .then()
            .statusCode(202)
            .header("Location", "/v1/projects/talis-test")
            .extract()
            .path("vms");

    // Then
    assertThat(again).isEqualTo(first);
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(6);
  }

  @Test
  void anotherRequestUnderTheSameNameIs409AndPublishesNothing() {
    // Given
    api().body(TWO_BY_THREE).post("/v1/projects").then().statusCode(202);

    // When
    api()
        .body(
            TWO_BY_THREE.replace(
                "\"number_of_instances\":3,\"hypervisor_group\":\"h1\"",
                "\"number_of_instances\":4,\"hypervisor_group\":\"h1\""))
        .post("/v1/projects")
        .then()
        // Then
        .statusCode(409)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/project-exists"))
        .body("instance", equalTo("/v1/projects"));
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(6);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          project name not a DNS label | {"project_name":"Talis_Test","instances":[{"name":"a","provider":"libvirt","resources":{"memory":512,"disk":1,"cpu":1}}]} | project_name
          no instances | {"project_name":"p","instances":[]} | instances
          instance name not a DNS label | {"project_name":"p","instances":[{"name":"-a","provider":"libvirt","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].name
          duplicate instance names | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","resources":{"memory":512,"disk":1,"cpu":1}},{"name":"a","provider":"virtfusion","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[1].name
          VM names collide | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","number_of_instances":2,"resources":{"memory":512,"disk":1,"cpu":1}},{"name":"a-2","provider":"libvirt","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[1].name
          VM names too long | {"project_name":"p","instances":[{"name":"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh","provider":"libvirt","number_of_instances":2,"resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].name
          both hypervisor fields | {"project_name":"p","instances":[{"name":"a","provider":"virtfusion","hypervisor_id":1,"hypervisor_group":"Prague","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].hypervisor_group
          hypervisor group neither name nor id | {"project_name":"p","instances":[{"name":"a","provider":"virtfusion","hypervisor_group":1.5,"resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].hypervisor_group
          more than 100 VMs | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","number_of_instances":60,"resources":{"memory":512,"disk":1,"cpu":1}},{"name":"b","provider":"virtfusion","number_of_instances":41,"resources":{"memory":512,"disk":1,"cpu":1}}]} | instances
          number_of_instances 0 | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","number_of_instances":0,"resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].number_of_instances
          unknown provider | {"project_name":"p","instances":[{"name":"a","provider":"vsphere","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].provider
          no resources | {"project_name":"p","instances":[{"name":"a","provider":"libvirt"}]} | instances[0].resources
          memory missing | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","resources":{"disk":1,"cpu":1}}]} | instances[0].resources.memory
          cpu out of range | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","resources":{"memory":512,"disk":1,"cpu":0}}]} | instances[0].resources.cpu
          unknown property | {"project_name":"p","instances":[{"name":"a","provider":"libvirt","colour":"red","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].colour
          public key without a name | {"project_name":"p","instances":[{"name":"a","provider":"virtfusion","ssh_public_key":"ssh-ed25519 AAAA","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].ssh_public_key
          not a public key | {"project_name":"p","instances":[{"name":"a","provider":"virtfusion","ssh_key_name":"k","ssh_public_key":"hello","resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].ssh_public_key
          firewall ruleset not an id | {"project_name":"p","instances":[{"name":"a","provider":"virtfusion","network":{"firewall_rulesets":[0]},"resources":{"memory":512,"disk":1,"cpu":1}}]} | instances[0].network.firewall_rulesets[0]
          """)
  void invalidProjectsAre400ProblemsNamingTheFieldAndPublishNothing(
      String why, String body, String field) {
    // When
    api()
        .body(body)
        .post("/v1/projects")
        .then()
        // Then
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/invalid-request"))
        .body("errors.field", hasItem(field));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
    api().get("/v1/projects/p").then().statusCode(404);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          provision | {"name":"a","provider":"virtfusion","provision":true,"resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].provision | configuration management
          volumes | {"name":"a","provider":"virtfusion","volumes":[{"name":"data","size_gb":20,"mount_point":"/mnt/data"}],"resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].volumes | extra volumes are not supported by any provider
          libvirt network profile | {"name":"a","provider":"libvirt","network":{"profile_id":2},"resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].network.profile_id | VirtFusion setting
          libvirt public IP | {"name":"a","provider":"libvirt","network":{"public_ip":true},"resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].network.public_ip | VirtFusion setting
          libvirt hypervisor id | {"name":"a","provider":"libvirt","hypervisor_id":2,"resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].hypervisor_id | names its hosts
          another provider's hypervisor group | {"name":"a","provider":"lab","hypervisor_group":"Prague","resources":{"memory":512,"disk":1,"cpu":1}} | instances[1].hypervisor_group | no hypervisor groups
          """)
  void whatIsNotSupportedIs422NamingTheFieldAndPublishesNothingOfTheProject(
      String why, String refused, String field, String detail) {
    // Given a valid instance beside the refused one
    String body = project("p", instance("ok", "virtfusion", 2, "") + "," + refused);

    // When
    api()
        .body(body)
        .post("/v1/projects")
        .then()
        // Then
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString(detail))
        .body("errors.field", hasItem(field));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
    api().get("/v1/projects/p").then().statusCode(404);
  }

  @Test
  void aCreateTheProviderCannotDoRefusesTheWholeProjectAndPublishesNothing() {
    // Given a provider that declares no root disks (published in @BeforeAll)
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                given()
                    .get("/v1/providers")
                    .then()
                    .body("items.find { it.name == 'nodisk' }.health", equalTo("HEALTHY")));

    // When one instance asks it for a disk
    api()
        .body(
            project(
                "mixed",
                instance("fine", "virtfusion", 3, "") + "," + instance("disky", "nodisk", 1, "")))
        .post("/v1/projects")
        .then()
        // Then
        .statusCode(422)
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString("nodisk"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
    api().get("/v1/projects/mixed").then().statusCode(404);
  }

  @Test
  void progressShowsEachVmsStateAndCreateAndASummary() {
    // Given a project of three VMs
    List<Map<String, String>> vms =
        api()
            .body(project("prog", instance("node", "virtfusion", 3, "")))
            .post("/v1/projects")
            .then()
            .statusCode(202)
            .extract()
            .path("vms");
    api()
        .get("/v1/projects/prog")
        .then()
        .statusCode(200)
        .body("project_name", equalTo("prog"))
        .body("summary.total", equalTo(3))
        .body("summary.inProgress", equalTo(3))
        .body("vms[0].status", equalTo("ACCEPTED"))
        .body("vms[0].state", equalTo("PENDING"))
        .body("vms[0].submitted", equalTo(true));
    Map<String, String> up = vms.get(0);
    Map<String, String> broken = vms.get(1);

    // When the orchestrator reports the first running and the second failed
    events.snapshot(
        Events.vm(
            up.get("vmId"),
            tenant,
            new VmSpec("node-1", "virtfusion", 1, 512, 1, null, null),
            VmState.RUNNING,
            4,
            null,
            null));
    events.lifecycle(
        tenant,
        new OperationSucceeded(
            up.get("vmId"), up.get("operationId"), CommandType.CREATE, Events.T0));
    events.lifecycle(
        tenant,
        new OperationFailed(
            broken.get("vmId"),
            broken.get("operationId"),
            CommandType.CREATE,
            "provision",
            ErrorType.INVALID_SPEC,
            "network profile 9 does not exist",
            Events.T0));

    // Then each VM shows its own outcome; the third is unaffected
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                api()
                    .get("/v1/projects/prog")
                    .then()
                    .statusCode(200)
                    .body("summary.total", equalTo(3))
                    .body("summary.running", equalTo(1))
                    .body("summary.failed", equalTo(1))
                    .body("summary.inProgress", equalTo(1))
                    .body("summary.notSubmitted", equalTo(0))
                    .body("vms[0].name", equalTo("node-1"))
                    .body("vms[0].state", equalTo("RUNNING"))
                    .body("vms[0].status", equalTo("SUCCEEDED"))
                    .body("vms[0].error", nullValue())
                    .body("vms[1].status", equalTo("FAILED"))
                    .body("vms[1].step", equalTo("provision"))
                    .body("vms[1].error.type", equalTo("INVALID_SPEC"))
                    .body("vms[1].error.message", equalTo("network profile 9 does not exist"))
                    .body("vms[2].instance", equalTo("node"))
                    .body("vms[2].status", equalTo("ACCEPTED")));
  }

  @Test
  void projectsBelongToTheirTenant() {
    // Given
    api()
        .body(project("shared", instance("a", "virtfusion", 2, "")))
        .post("/v1/projects")
        .then()
        .statusCode(202);
    String other = tenant + "-b";

    // Then another tenant neither sees it nor lists it...
    given().header(Tenant.HEADER, other).get("/v1/projects/shared").then().statusCode(404);
    given()
        .header(Tenant.HEADER, other)
        .get("/v1/projects")
        .then()
        .statusCode(200)
        .body("total", equalTo(0));
    // ...and may use the name for a project of its own
    given()
        .header(Tenant.HEADER, other)
        .contentType(ContentType.JSON)
        .body(project("shared", instance("b", "virtfusion", 1, "")))
        .post("/v1/projects")
        .then()
        .statusCode(202)
        .body("vms[0].name", equalTo("b"));
    api()
        .get("/v1/projects")
        .then()
        .statusCode(200)
        .body("total", equalTo(1))
        .body("items[0].project_name", equalTo("shared"))
        .body("items[0].vms", equalTo(2));
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(2);
    assertThat(commands.commands(other)).hasSize(1);
    assertThat(commands.commands(other).get(0).spec().labels())
        .containsEntry("virtsaga.dev/tenant", other);
  }

  @Test
  void afterACrashMidFanOutTheSameRequestCompletesTheMissingVmsWithTheirIds() {
    // Given a project of three VMs...
    String body = project("crashy", instance("n", "virtfusion", 3, ""));
    List<Map<String, String>> first =
        api().body(body).post("/v1/projects").then().statusCode(202).extract().path("vms");
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(3);
    // ...as a gateway that died mid-way left it: n-2 stored but never claimed, n-3 claimed (and
    // perhaps published) but never marked
    sql(
        "UPDATE project_vms SET submitted = FALSE WHERE tenant_id = $1 AND project = 'crashy'"
            + " AND vm_name IN ('n-2', 'n-3')",
        Tuple.of(tenant));
    sql(
        "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND idempotency_key = $2",
        Tuple.of(tenant, "project:" + tenant + ":crashy:n-2"));
    sql(
        "UPDATE idempotency_keys SET completed = FALSE, created_at = $3"
            + " WHERE tenant_id = $1 AND idempotency_key = $2",
        Tuple.of(
            tenant,
            "project:" + tenant + ":crashy:n-3",
            OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5)));
    api()
        .get("/v1/projects/crashy")
        .then()
        .body("summary.notSubmitted", equalTo(2))
        .body("vms[1].submitted", equalTo(false));

    // When the client repeats the request
    List<Map<String, String>> again =
        api().body(body).post("/v1/projects").then().statusCode(202).extract().path("vms");

    // Then the answer is the same, and only the two unfinished creates went out again, with the
    // ids they had (the orchestrator takes the same vmId and operationId as one create)
    assertThat(again).isEqualTo(first);
    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(5);
    List<VmCommand> repeated = published.subList(3, 5);
    assertThat(repeated)
        .extracting(VmCommand::vmId)
        .containsExactlyInAnyOrder(first.get(1).get("vmId"), first.get(2).get("vmId"));
    assertThat(repeated)
        .extracting(VmCommand::operationId)
        .containsExactlyInAnyOrder(
            first.get(1).get("operationId"), first.get(2).get("operationId"));
    api()
        .get("/v1/projects/crashy")
        .then()
        .body("summary.notSubmitted", equalTo(0))
        .body("summary.inProgress", equalTo(3));

    // And a further repeat publishes nothing
    api().body(body).post("/v1/projects").then().statusCode(202);
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(5);
  }

  @Test
  void unknownProjectIs404Problem() {
    api()
        .get("/v1/projects/nope")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-found"));
  }

  @Test
  void clientLabelsMayNotClaimTheTenantOrProject() {
    api()
        .body(
            "{\"name\":\"web-1\",\"provider\":\"virtfusion\",\"cpus\":1,\"memoryMiB\":512,"
                + "\"diskGiB\":1,\"labels\":{\"virtsaga.dev/tenant\":\"someone-else\"}}")
        .post("/v1/vms")
        .then()
        .statusCode(400)
        .body("errors.field", hasItem("labels.virtsaga.dev/tenant"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  private void sql(String statement, Tuple args) {
    pool.preparedQuery(statement).execute(args).await().atMost(Duration.ofSeconds(10));
  }
}
