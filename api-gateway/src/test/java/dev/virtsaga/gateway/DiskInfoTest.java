package dev.virtsaga.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/vms/{id}/disks}: read live from the provider's worker, found by the endpoint the
 * worker declares on the real vm.providers.v1. A real HTTP server on 127.0.0.1 stands in for the
 * worker's internal API; the worker side itself is proven end to end elsewhere.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DiskInfoTest {
  static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);

  /** A healthy provider whose worker answers at the fake endpoint. */
  static final String SERVED = "served-" + SUFFIX;

  /** Declares no disk information. */
  static final String WITHOUT = "without-" + SUFFIX;

  /** Healthy, but its worker declares no endpoint. */
  static final String NO_ENDPOINT = "noendpoint-" + SUFFIX;

  /** Declares an endpoint, but its hypervisor does not answer. */
  static final String DOWN = "down-" + SUFFIX;

  /** Declares an endpoint where nothing listens. */
  static final String GONE = "gone-" + SUFFIX;

  static final List<String> CAPABLE = List.of("DISKS", "DISK_EXPORT_IMPORT");

  static Events events;
  static HttpServer worker;

  /** What the fake worker answers, by vmId: status and body. */
  static final Map<String, Map.Entry<Integer, String>> answers = new ConcurrentHashMap<>();

  /** The request URIs the fake worker received. */
  static final List<URI> received = new CopyOnWriteArrayList<>();

  String tenant;

  @BeforeAll
  static void start() throws IOException {
    worker = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    worker.createContext("/internal/v1/vms/", DiskInfoTest::answer);
    worker.start();
    String endpoint = "http://127.0.0.1:" + worker.getAddress().getPort();
    events = new Events();
    Instant now = Instant.now();
    events.provider(
        new ProviderStatus(
            SERVED, CAPABLE, ProviderHealth.HEALTHY, now, null, endpoint + "/", List.of("h1")));
    events.provider(
        new ProviderStatus(
            WITHOUT, List.of("DISKS"), ProviderHealth.HEALTHY, now, null, endpoint, null));
    events.provider(
        new ProviderStatus(NO_ENDPOINT, CAPABLE, ProviderHealth.HEALTHY, now, null, null, null));
    events.provider(
        new ProviderStatus(
            DOWN, CAPABLE, ProviderHealth.UNREACHABLE, now, "connection refused", endpoint, null));
    events.provider(
        new ProviderStatus(
            GONE,
            CAPABLE,
            ProviderHealth.HEALTHY,
            now,
            null,
            "http://127.0.0.1:" + freePort(),
            null));
  }

  @AfterAll
  static void stop() {
    worker.stop(0);
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
                  assertThat(
                          given()
                              .get("/v1/providers")
                              .then()
                              .extract()
                              .jsonPath()
                              .getList("items.name", String.class))
                      .contains(SERVED, WITHOUT, NO_ENDPOINT, DOWN, GONE));
      providersKnown = true;
    }
  }

  RequestSpecification api() {
    return given().header(Tenant.HEADER, tenant).contentType(ContentType.JSON);
  }

  @Test
  void theVmsDisksComeFromItsProvidersWorker() {
    // Given a VM on host h1 and a worker that knows its disks
    String vmId = vm(SERVED, "h1");
    answers.put(
        vmId,
        Map.entry(
            200,
            """
            {"items":[
              {"diskId":"root","path":"/var/lib/libvirt/images/x.qcow2","format":"QCOW2",
               "virtualSizeBytes":1073741824,"actualSizeBytes":196608,"backingFile":null,
               "bootable":true,"snapshots":["before"],"raw":{"target":"vda"},"future":1},
              {"diskId":"data-1","path":"/var/lib/libvirt/images/y.raw","format":"RAW",
               "virtualSizeBytes":2147483648,"actualSizeBytes":0,"bootable":false,
               "snapshots":[],"raw":{}}
            ]}
            """));

    // When / Then
    api()
        .get("/v1/vms/" + vmId + "/disks")
        .then()
        .statusCode(200)
        .contentType(ContentType.JSON)
        .body("items.size()", equalTo(2))
        .body("items[0].diskId", equalTo("root"))
        .body("items[0].format", equalTo("qcow2"))
        .body("items[0].virtualSizeBytes", equalTo(1073741824))
        .body("items[0].bootable", equalTo(true))
        .body("items[0].snapshots", equalTo(List.of("before")))
        .body("items[0].raw.target", equalTo("vda"))
        .body("items[1].diskId", equalTo("data-1"))
        .body("items[1].format", equalTo("raw"));
    // and the worker was asked for this VM, by its providerRef, on its host
    assertThat(received)
        .anySatisfy(
            uri -> {
              assertThat(uri.getPath()).isEqualTo("/internal/v1/vms/" + vmId + "/disks");
              assertThat(uri.getQuery()).isEqualTo("host=h1&providerRef=dom-" + vmId);
            });
  }

  @Test
  void theWorkersNotFoundAndNotSupportedArePassedOnAsProblems() {
    String missing = vm(SERVED, null);
    answers.put(
        missing,
        Map.entry(
            404,
            "{\"type\":\"https://virtsaga.dev/problems/not-found\",\"status\":404,"
                + "\"detail\":\"no domain tagged "
                + missing
                + "\"}"));
    String unsupported = vm(SERVED, null);
    answers.put(
        unsupported,
        Map.entry(422, "{\"status\":422,\"detail\":\"provider x does not support DISKS\"}"));
    String broken = vm(SERVED, null);
    answers.put(broken, Map.entry(500, "oops"));

    api()
        .get("/v1/vms/" + missing + "/disks")
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("no domain tagged " + missing));
    // a VM on the default host: no host asked for
    assertThat(received)
        .anySatisfy(uri -> assertThat(uri.getQuery()).isEqualTo("providerRef=dom-" + missing));
    api()
        .get("/v1/vms/" + unsupported + "/disks")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"));
    api()
        .get("/v1/vms/" + broken + "/disks")
        .then()
        .statusCode(502)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/worker-failed"));
  }

  @Test
  void anUnknownVmOrAnotherTenantsIs404WithoutAskingTheWorker() {
    String vmId = vm(SERVED, null);
    answers.put(vmId, Map.entry(200, "{\"items\":[]}"));

    given()
        .header(Tenant.HEADER, "someone-else")
        .get("/v1/vms/" + vmId + "/disks")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    api()
        .get("/v1/vms/" + UUID.randomUUID() + "/disks")
        .then()
        .statusCode(404)
        .contentType("application/problem+json");
    assertThat(received).noneSatisfy(uri -> assertThat(uri.getPath()).contains(vmId));
    api().get("/v1/vms/" + vmId + "/disks").then().statusCode(200).body("items.size()", equalTo(0));
  }

  @Test
  void aProviderWithoutDiskInformationIs422UpFront() {
    String vmId = vm(WITHOUT, null);

    api()
        .get("/v1/vms/" + vmId + "/disks")
        .then()
        .statusCode(422)
        .contentType("application/problem+json")
        .body("type", equalTo("https://virtsaga.dev/problems/not-supported"))
        .body("detail", containsString("does not support disk information"));
    assertThat(received).noneSatisfy(uri -> assertThat(uri.getPath()).contains(vmId));
  }

  @Test
  void noEndpointAnUnhealthyProviderOrAWorkerThatDoesNotAnswerIs503() {
    for (String provider : List.of(NO_ENDPOINT, DOWN, GONE)) {
      String vmId = vm(provider, null);
      api()
          .get("/v1/vms/" + vmId + "/disks")
          .then()
          .statusCode(503)
          .contentType("application/problem+json")
          .header("Retry-After", equalTo("5"))
          .body("type", equalTo("https://virtsaga.dev/problems/provider-unavailable"));
    }
  }

  // ------------------------------------------------------------------ helpers

  String vm(String provider, String host) {
    String vmId = UUID.randomUUID().toString();
    events.snapshot(
        Events.vm(
            vmId,
            tenant,
            new VmSpec("vm", provider, 1, 512, 1, null, null, host, null),
            VmState.RUNNING,
            1,
            null,
            List.of()));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> api().get("/v1/vms/" + vmId).then().statusCode(200));
    return vmId;
  }

  static void answer(HttpExchange exchange) throws IOException {
    URI uri = exchange.getRequestURI();
    received.add(uri);
    String[] path = uri.getPath().split("/");
    Map.Entry<Integer, String> answer =
        path.length == 6 && path[5].equals("disks") && "GET".equals(exchange.getRequestMethod())
            ? answers.getOrDefault(path[4], Map.entry(404, "{\"detail\":\"unknown VM\"}"))
            : Map.entry(405, "");
    byte[] body = answer.getValue().getBytes(StandardCharsets.UTF_8);
    exchange
        .getResponseHeaders()
        .add(
            "Content-Type",
            answer.getKey() == 200 ? "application/json" : "application/problem+json");
    exchange.sendResponseHeaders(answer.getKey(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
