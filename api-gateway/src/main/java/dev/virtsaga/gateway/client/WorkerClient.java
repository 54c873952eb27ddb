package dev.virtsaga.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.virtsaga.gateway.Disk;
import dev.virtsaga.gateway.GatewayException;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.NotSupportedException;
import dev.virtsaga.gateway.ProviderUnavailableException;
import dev.virtsaga.gateway.WorkerFailedException;
import dev.virtsaga.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Reads that go to a provider's worker over its internal HTTP API (the endpoint the worker declares
 * on {@code vm.providers.v1}). Non-blocking (the JDK client's asynchronous send), bounded by {@code
 * virtsaga.gateway.workers.request-timeout}; the answer comes back on the caller's Vert.x context.
 * The worker's errors become the gateway's: 404 stays 404, 422 (not supported) stays 422, an
 * unreachable or slow worker is 503, anything else 502.
 */
@ApplicationScoped
public class WorkerClient {
  /** Lenient: a worker may send fields this gateway does not know yet. */
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;
  private final Duration timeout;

  public WorkerClient(GatewayConfig config) {
    this.timeout = config.workers().requestTimeout();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * The VM's disks: {@code GET {endpoint}/internal/v1/vms/{vmId}/disks?providerRef=&host=}.
   *
   * @param providerRef the hypervisor's id of the VM, or {@code null}
   * @param host the provider's host the VM is on, or {@code null} for the default one
   */
  public Uni<List<Disk>> disks(String endpoint, String vmId, String providerRef, String host) {
    Map<String, String> query = new TreeMap<>();
    if (providerRef != null) {
      query.put("providerRef", providerRef);
    }
    if (host != null) {
      query.put("host", host);
    }
    URI uri = uri(endpoint, "/internal/v1/vms/" + encode(vmId) + "/disks", query);
    return get(uri, "disks of VM " + vmId).map(WorkerClient::disks);
  }

  private Uni<JsonNode> get(URI uri, String what) {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json")
            .GET()
            .build();
    Context context = Vertx.currentContext();
    Uni<JsonNode> answer =
        Uni.createFrom()
            .completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
            .onFailure()
            .transform(e -> unreachable(what, e))
            .map(response -> body(response, what));
    return context == null ? answer : answer.emitOn(r -> context.runOnContext(v -> r.run()));
  }

  private GatewayException unreachable(String what, Throwable e) {
    String why =
        e instanceof HttpTimeoutException
            ? "did not answer within " + timeout.toSeconds() + " s"
            : "cannot be reached";
    return new ProviderUnavailableException(
        "the provider's worker " + why + " (asked for the " + what + ")", e);
  }

  private static JsonNode body(HttpResponse<String> response, String what) {
    int status = response.statusCode();
    JsonNode json = parse(response.body());
    if (status == 200 && json != null) {
      return json;
    }
    String detail =
        json != null && json.hasNonNull("detail")
            ? json.get("detail").asText()
            : "the worker answered " + status + " for the " + what;
    throw switch (status) {
      case 404 -> new NotFoundException(detail);
      case 422 -> new NotSupportedException(detail);
      case 502, 503, 504 -> new ProviderUnavailableException(detail);
      default ->
          new WorkerFailedException(
              status == 200 ? "the worker answered no JSON for the " + what : detail);
    };
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static List<Disk> disks(JsonNode json) {
    JsonNode items = json.get("items");
    if (items == null || !items.isArray()) {
      throw new WorkerFailedException("the worker's disk list has no items");
    }
    List<Disk> disks = new ArrayList<>();
    for (JsonNode d : items) {
      if (!d.hasNonNull("diskId")) {
        throw new WorkerFailedException("the worker listed a disk without diskId");
      }
      List<String> snapshots = new ArrayList<>();
      d.path("snapshots").forEach(s -> snapshots.add(s.asText()));
      Map<String, String> raw = new TreeMap<>();
      d.path("raw").properties().forEach(e -> raw.put(e.getKey(), e.getValue().asText()));
      disks.add(
          new Disk(
              d.get("diskId").asText(),
              text(d, "path"),
              d.hasNonNull("format") ? d.get("format").asText().toLowerCase(Locale.ROOT) : null,
              d.path("virtualSizeBytes").asLong(),
              d.path("actualSizeBytes").asLong(),
              text(d, "backingFile"),
              d.path("bootable").asBoolean(),
              List.copyOf(snapshots),
              raw));
    }
    return List.copyOf(disks);
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  static URI uri(String endpoint, String path, Map<String, String> query) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    query.forEach((k, v) -> q.add(encode(k) + "=" + encode(v)));
    return URI.create(base + path + q);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
