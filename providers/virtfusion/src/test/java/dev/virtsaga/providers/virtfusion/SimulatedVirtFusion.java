package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.devstack.virtfusion.VirtFusionSimulator;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.spi.RateLimit;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An in-process VirtFusion simulator with one tenant, and adapters configured for it. The test also
 * reaches the simulator directly (its own HTTP calls, {@link VirtFusionSimulator#servers()}) to
 * look behind the adapter's back.
 */
final class SimulatedVirtFusion implements AutoCloseable {
  static final String TOKEN = "test-token-" + Long.toHexString(System.nanoTime());

  /** The tenant (external relation id) of requests without a tenant label. */
  static final String TENANT = "4242";

  /** Group 1 "Prague" of the default inventory: profiles 1 Public (primary) and 2 Private. */
  static final String GROUP = "Prague";

  /** Package 1 "Small" (templates 101 Ubuntu 22.04, 102 Ubuntu 24.04, 103 Debian 12). */
  static final long PACKAGE = 1;

  /** VirtFusion refuses less memory than this (MB). */
  static final long MIN_MEMORY_MB = 128;

  final VirtFusionSimulator sim;
  final String baseUrl;
  final long userId;
  private final HttpClient http = HttpClient.newHttpClient();

  SimulatedVirtFusion() {
    sim = new VirtFusionSimulator(TOKEN);
    baseUrl = sim.start();
    sim.buildDuration(Duration.ofMillis(150)).powerDuration(Duration.ofMillis(30));
    userId = sim.addUser(Long.parseLong(TENANT));
  }

  /** Settings for tests: fast polls and retries, a generous rate limit. */
  VirtFusionSettings settings() {
    return new VirtFusionSettings(
        baseUrl,
        TOKEN,
        new VirtFusionSettings.Defaults(TENANT, PACKAGE, GROUP, "ubuntu-22.04"),
        new RateLimit(500, 100),
        new ProviderTimeouts(
            Duration.ofSeconds(30),
            Duration.ofSeconds(20),
            Duration.ofMillis(25),
            Duration.ofSeconds(5)),
        new VirtFusionSettings.Retry(8, Duration.ofMillis(20), Duration.ofSeconds(2)),
        new VirtFusionSettings.Watch(Duration.ofMillis(100), Duration.ofSeconds(1)),
        Duration.ofMinutes(10));
  }

  VirtFusionProvider provider() {
    return VirtFusionProvider.standalone(settings());
  }

  VirtFusionProvider provider(VirtFusionSettings settings) {
    return VirtFusionProvider.standalone(settings);
  }

  /** The kit's request with VirtFusion's smallest memory where the kit asks for less. */
  static CreateRequest withVirtFusionMemory(CreateRequest r) {
    return new CreateRequest(
        r.vmId(),
        r.operationId(),
        r.name(),
        r.cpus(),
        Math.max(MIN_MEMORY_MB, r.memoryMiB()),
        r.diskGiB(),
        r.image(),
        r.labels());
  }

  /** The simulator's servers whose name carries this vmId's tag. */
  List<SimServer> serversOf(String vmId) {
    return sim.servers().stream()
        .filter(s -> ServerTag.vmIdOf(s.name()).filter(vmId::equals).isPresent())
        .toList();
  }

  Optional<SimServer> serverNamed(String name) {
    return sim.servers().stream().filter(s -> name.equals(s.name())).findFirst();
  }

  // ---- the test's own calls, behind the adapter's back ----------------------------------------

  /** Allocates a server (no build) for the tenant and names it; returns its id. */
  long allocate(String name) {
    JsonObject created =
        call(
                "POST",
                "/servers",
                new JsonObject()
                    .put("packageId", PACKAGE)
                    .put("userId", userId)
                    .put("hypervisorId", 1))
            .getJsonObject("data");
    long id = created.getLong("id");
    call("PUT", "/servers/" + id + "/modify/name", new JsonObject().put("name", name));
    return id;
  }

  void deleteServer(long id) {
    call("DELETE", "/servers/" + id + "?delay=0", null);
  }

  /** Registers an SSH key for the tenant's user; returns its id. */
  long addSshKey(String name, String publicKey) {
    return call(
            "POST",
            "/ssh_keys",
            new JsonObject().put("userId", userId).put("name", name).put("publicKey", publicKey))
        .getJsonObject("data")
        .getLong("id");
  }

  JsonObject server(long id) {
    return call("GET", "/servers/" + id, null).getJsonObject("data");
  }

  JsonObject call(String method, String path, JsonObject body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(
            method + " " + path + " → " + r.statusCode() + " " + r.body());
      }
      return r.body() == null || r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Labels naming the default tenant explicitly, plus more. */
  static Map<String, String> labels(String... keyValues) {
    Map<String, String> labels = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      labels.put(keyValues[i], keyValues[i + 1]);
    }
    return labels;
  }

  @Override
  public void close() {
    sim.close();
  }
}
