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
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.DiskSource;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Disk export and import on the real broker and database, and the transfer URL allow-list (no
 * SSRF): a refused URL is a 422 problem naming the rule, and nothing is published.
 *
 * <p>The test profile enables the providers {@code lab} (disk transfers, hosts h1 and h2) and
 * {@code bare} (no disk transfers), and allows the image host {@code images.example.test}.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DiskTransfersTest {
  static final String SHA = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
  static final String IMAGE = "file:///var/lib/virtsaga/transfer/base.qcow2";

  static CommandLog commands;
  static Events events;
  String tenant;

  @BeforeAll
  static void start() {
    commands = CommandLog.start();
    events = new Events();
    events.provider(
        new ProviderStatus(
            "lab",
            List.of("DISKS", "DISK_EXPORT_IMPORT", "SNAPSHOTS"),
            ProviderHealth.HEALTHY,
            Instant.now(),
            null,
            null,
            List.of("h1", "h2")));
    events.provider(
        new ProviderStatus(
            "bare", List.of("DISKS", "REBOOT"), ProviderHealth.HEALTHY, Instant.now(), null));
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
                      .body("items.name", hasItem("lab"))
                      .body("items.name", hasItem("bare")));
      providersKnown = true;
    }
  }

  RequestSpecification api() {
    return given().header(Tenant.HEADER, tenant).contentType(ContentType.JSON);
  }

  static String importBody(String url) {
    return importBody("lab", url, null);
  }

  static String importBody(String provider, String url, String host) {
    return "{\"name\":\"imported-1\",\"provider\":\""
        + provider
        + "\",\"cpus\":2,\"memoryMiB\":1024,\"url\":\""
        + url
        + "\",\"format\":\"qcow2\",\"sha256\":\""
        + SHA
        + "\",\"labels\":{\"team\":\"a\"}"
        + (host == null ? "" : ",\"host\":\"" + host + "\"")
        + "}";
  }

  static String exportBody(String url) {
    return "{\"url\":\"" + url + "\",\"format\":\"raw\"}";
  }

  // ------------------------------------------------------------------ export

  @Test
  void exportAnswers202AndPublishesADiskExportWithTheNormalisedUrl() {
    String vmId = vm("lab");

    String operationId =
        api()
            .body(
                "{\"url\":\"file:///var/lib/virtsaga/transfer/out/./web-1.qcow2\","
                    + "\"format\":\"qcow2\",\"diskId\":\"root\",\"snapshotId\":\"snap-1\"}")
            .post("/v1/vms/" + vmId + "/disks/export")
            .then()
            .statusCode(202)
            .body("vmId", equalTo(vmId))
            .body("status", equalTo("ACCEPTED"))
            .extract()
            .path("operationId");

    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    assertThat(EventSchemas.validate(published.get(0).type(), published.get(0).data())).isEmpty();
    VmCommand command = published.get(0).payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.DISK_EXPORT);
    assertThat(command.vmId()).isEqualTo(vmId);
    assertThat(command.operationId()).isEqualTo(operationId);
    assertThat(command.export())
        .isEqualTo(
            new DiskExportArgs(
                "file:///var/lib/virtsaga/transfer/out/web-1.qcow2", "qcow2", "root", "snap-1"));
  }

  @Test
  void exportIdempotencyKeyReplaysTheFirstAnswer() {
    String vmId = vm("lab");
    String key = UUID.randomUUID().toString();
    String body = exportBody("file:///var/lib/virtsaga/transfer/a.raw");

    String first =
        api()
            .header("Idempotency-Key", key)
            .body(body)
            .post("/v1/vms/" + vmId + "/disks/export")
            .then()
            .statusCode(202)
            .extract()
            .path("operationId");
    api()
        .header("Idempotency-Key", key)
        .body(body)
        .post("/v1/vms/" + vmId + "/disks/export")
        .then()
        .statusCode(202)
        .body("operationId", equalTo(first));
    api()
        .header("Idempotency-Key", key)
        .body(exportBody("file:///var/lib/virtsaga/transfer/b.raw"))
        .post("/v1/vms/" + vmId + "/disks/export")
        .then()
        .statusCode(422)
        .body("type", containsString("idempotency-key-reused"));

    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1/x|host 127.0.0.1 resolves to non-public address 127.0.0.1",
        "http://169.254.169.254/latest/meta-data/|non-public address 169.254.169.254",
        "http://10.0.0.1/disk.qcow2|non-public address 10.0.0.1",
        "file:///etc/passwd|files are allowed only under [/var/lib/virtsaga/transfer]",
        "ftp://images.example.test/x.qcow2|scheme 'ftp' is not allowed (file, http, https)",
        "file:///var/lib/virtsaga/transfer/../../../../etc/passwd|files are allowed only under",
        "http://user:pw@images.example.test/x.qcow2|URLs with credentials are not allowed"
      })
  void exportToARefusedUrlIs422NamingTheRuleAndPublishesNothing(String url, String rule) {
    String vmId = vm("lab");

    api()
        .body(exportBody(url))
        .post("/v1/vms/" + vmId + "/disks/export")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/url-not-allowed"))
        .body("title", equalTo("URL not allowed"))
        .body("detail", containsString(rule))
        .body("errors[0].field", equalTo("url"))
        .body("instance", equalTo("/v1/vms/" + vmId + "/disks/export"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"format\":\"raw\"}",
        "{\"url\":\"file:///var/lib/virtsaga/transfer/a\"}",
        "{\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"iso\"}",
        "{\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"raw\",\"diskId\":\"a b\"}",
        "{\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"raw\",\"to\":\"x\"}"
      })
  void badExportBodiesAre400AndPublishNothing(String body) {
    String vmId = vm("lab");

    api()
        .body(body)
        .post("/v1/vms/" + vmId + "/disks/export")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void exportFromAnUnknownSnapshotOrOnAProviderWithoutTransfersIsRefused() {
    String onLab = vm("lab");
    String onBare = vm("bare");

    api()
        .body(
            "{\"url\":\"file:///var/lib/virtsaga/transfer/a.raw\",\"format\":\"raw\","
                + "\"snapshotId\":\"nope\"}")
        .post("/v1/vms/" + onLab + "/disks/export")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    api()
        .body(exportBody("file:///var/lib/virtsaga/transfer/a.raw"))
        .post("/v1/vms/" + onBare + "/disks/export")
        .then()
        .statusCode(422)
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString("does not support disk export"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  // ------------------------------------------------------------------ import

  @Test
  void importAnswersLikeACreateAndPublishesACreateWithTheImageAsSource() {
    ExtractableResponse<Response> r =
        api()
            .body(importBody("lab", IMAGE, "h2"))
            .post("/v1/disks/import")
            .then()
            .statusCode(202)
            .body("status", equalTo("ACCEPTED"))
            .body("cloneVmId", nullValue())
            .extract();
    String vmId = r.path("vmId");
    String operationId = r.path("operationId");
    assertThat(UUID.fromString(vmId)).isNotNull();
    assertThat(r.header("Location")).endsWith("/v1/operations/" + operationId);

    // Then the command
    commands.flush();
    List<CloudEvent> published = commands.events(tenant);
    assertThat(published).hasSize(1);
    assertThat(EventSchemas.validate(published.get(0).type(), published.get(0).data())).isEmpty();
    VmCommand command = published.get(0).payload(VmCommand.class);
    assertThat(command.type()).isEqualTo(CommandType.CREATE);
    assertThat(command.vmId()).isEqualTo(vmId);
    VmSpec spec = command.spec();
    assertThat(spec.name()).isEqualTo("imported-1");
    assertThat(spec.provider()).isEqualTo("lab");
    assertThat(spec.diskGiB()).isZero();
    assertThat(spec.image()).isNull();
    assertThat(spec.host()).isEqualTo("h2");
    assertThat(spec.labels()).containsEntry("team", "a");
    assertThat(spec.source())
        .isEqualTo(new DiskSource(IMAGE, "qcow2", SHA.toLowerCase(java.util.Locale.ROOT)));

    // and the new VM can be read at once, pending
    api()
        .get("/v1/vms/" + vmId)
        .then()
        .statusCode(200)
        .body("state", equalTo("PENDING"))
        .body("spec.host", equalTo("h2"))
        .body("spec.source.url", equalTo(IMAGE))
        .body("spec.source.format", equalTo("qcow2"));
    api().get("/v1/operations/" + operationId).then().body("type", equalTo("CREATE"));
  }

  @Test
  void importFromAnAllowedImageHostWithASizeIsAccepted() {
    api()
        .body(
            "{\"name\":\"imported-2\",\"provider\":\"lab\",\"cpus\":1,\"memoryMiB\":512,"
                + "\"diskGiB\":20,\"url\":\"https://images.example.test/base.qcow2\","
                + "\"format\":\"qcow2\",\"sha256\":\""
                + SHA
                + "\"}")
        .post("/v1/disks/import")
        .then()
        .statusCode(202);

    commands.flush();
    List<VmCommand> published = commands.commands(tenant);
    assertThat(published).hasSize(1);
    assertThat(published.get(0).spec().diskGiB()).isEqualTo(20);
    assertThat(published.get(0).spec().source().url())
        .isEqualTo("https://images.example.test/base.qcow2");
  }

  @Test
  void importIdempotencyKeyGivesTheSameNewVmAndOneCommand() {
    String key = UUID.randomUUID().toString();

    ExtractableResponse<Response> first =
        api()
            .header("Idempotency-Key", key)
            .body(importBody(IMAGE))
            .post("/v1/disks/import")
            .then()
            .statusCode(202)
            .extract();
    ExtractableResponse<Response> again =
        api()
            .header("Idempotency-Key", key)
            .body(importBody(IMAGE))
            .post("/v1/disks/import")
            .then()
            .statusCode(202)
            .extract();
    api()
        .header("Idempotency-Key", key)
        .body(importBody("file:///var/lib/virtsaga/transfer/other.qcow2"))
        .post("/v1/disks/import")
        .then()
        .statusCode(422)
        .body("type", containsString("idempotency-key-reused"));

    assertThat(again.<String>path("vmId")).isEqualTo(first.path("vmId"));
    assertThat(again.<String>path("operationId")).isEqualTo(first.path("operationId"));
    commands.flush();
    assertThat(commands.commands(tenant)).hasSize(1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1/x|non-public address 127.0.0.1",
        "http://169.254.169.254/|non-public address 169.254.169.254",
        "http://10.0.0.1/|non-public address 10.0.0.1",
        "file:///etc/passwd|files are allowed only under",
        "ftp://images.example.test/base.qcow2|scheme 'ftp' is not allowed",
        "file:///var/lib/virtsaga/transfer/../../../etc/shadow|files are allowed only under"
      })
  void importFromARefusedUrlIs422NamingTheRuleAndPublishesNothing(String url, String rule) {
    api()
        .body(importBody(url))
        .post("/v1/disks/import")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/url-not-allowed"))
        .body("detail", containsString(rule))
        .body("errors[0].field", equalTo("url"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{\"name\":\"x\",\"provider\":\"lab\",\"cpus\":1,\"memoryMiB\":512,\"format\":\"qcow2\"}",
        "{\"name\":\"x\",\"provider\":\"lab\",\"cpus\":1,\"memoryMiB\":512,\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"qcow2\",\"sha256\":\"abc\"}",
        "{\"name\":\"x\",\"provider\":\"lab\",\"cpus\":1,\"memoryMiB\":512,\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"iso\",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}",
        "{\"name\":\"x\",\"provider\":\"vsphere\",\"cpus\":1,\"memoryMiB\":512,\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"raw\",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}",
        "{\"name\":\"x\",\"provider\":\"lab\",\"cpus\":0,\"memoryMiB\":512,\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"raw\",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"}",
        "{\"name\":\"x\",\"provider\":\"lab\",\"cpus\":1,\"memoryMiB\":512,\"url\":\"file:///var/lib/virtsaga/transfer/a\",\"format\":\"raw\",\"sha256\":\"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\",\"image\":\"x\"}"
      })
  void badImportBodiesAre400AndPublishNothing(String body) {
    api()
        .body(body)
        .post("/v1/disks/import")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/invalid-request"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  @Test
  void importOntoAnUnknownHostOrAProviderWithoutTransfersIs422() {
    api()
        .body(importBody("lab", IMAGE, "h7"))
        .post("/v1/disks/import")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/unknown-host"))
        .body("detail", containsString("known hosts: h1, h2"));
    api()
        .body(importBody("bare", IMAGE, null))
        .post("/v1/disks/import")
        .then()
        .statusCode(422)
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString("does not support disk import"));
    commands.flush();
    assertThat(commands.commands(tenant)).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  /** A running VM on the provider, with one snapshot, visible through the API. */
  String vm(String provider) {
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            new VmSpec("vm", provider, 1, 512, 1, null, null),
            VmState.RUNNING,
            1,
            null,
            List.of(
                new SnapshotView("snap-1", "before", SnapshotPhase.SUCCEEDED, Events.T0, null))));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));
    return vmId;
  }
}
