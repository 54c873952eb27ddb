package dev.virtsaga.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.events.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A small HTTP client for the gateway, as a user's script would use it. */
final class Api {
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;

  Api(String base) {
    this.base = base;
  }

  /** An answer: status, headers and the body parsed as JSON (null when empty). */
  record Answer(int status, String contentType, String location, JsonNode body) {}

  Answer send(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json =
          r.body() == null || r.body().isBlank() ? null : Json.mapper().readTree(r.body());
      return new Answer(
          r.statusCode(),
          r.headers().firstValue("Content-Type").orElse(""),
          r.headers().firstValue("Location").orElse(null),
          json);
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Answer post(String path, String body) {
    return send("POST", path, body, Map.of());
  }

  Answer get(String path) {
    return send("GET", path, null, Map.of());
  }

  Answer delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /** Creates a VM and returns the gateway's 202 answer. */
  Answer createVm(String name) {
    return post(
        "/v1/vms",
        "{\"name\":\""
            + name
            + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0}");
  }

  /** The VM's state as the gateway shows it, or null when it does not know the VM. */
  String state(String vmId) {
    Answer a = get("/v1/vms/" + vmId);
    return a.status() == 200 ? a.body().path("state").asText() : null;
  }

  /** Waits until the gateway shows the VM in {@code state}. */
  void awaitState(String vmId, String state, Duration wait) {
    org.awaitility.Awaitility.await().atMost(wait).until(() -> state.equals(state(vmId)));
  }

  /**
   * Waits until the operation of a 202 answer reaches {@code status} and returns it; one that ends
   * otherwise (FAILED, REJECTED while SUCCEEDED is awaited) fails the wait at once with its body.
   */
  JsonNode awaitOperation(Answer accepted, String status, Duration wait) {
    org.assertj.core.api.Assertions.assertThat(accepted.status())
        .as(String.valueOf(accepted.body()))
        .isEqualTo(202);
    String op = accepted.body().path("operationId").asText();
    org.awaitility.Awaitility.await()
        .atMost(wait)
        .until(
            () -> {
              JsonNode now = get("/v1/operations/" + op).body();
              if (!"FAILED".equals(status)) {
                org.assertj.core.api.Assertions.assertThat(now.path("status").asText())
                    .as("operation " + now)
                    .isNotIn("FAILED", "REJECTED", "TIMED_OUT");
              }
              return status.equals(now.path("status").asText());
            });
    return get("/v1/operations/" + op).body();
  }

  /** Follows {@code GET /v1/events} in the background, collecting every SSE data payload. */
  Sse events(String query) {
    return new Sse(base + "/v1/events" + query);
  }

  final class Sse implements AutoCloseable {
    final List<JsonNode> received = new CopyOnWriteArrayList<>();

    /** Set once the gateway's first line (its "connected" comment) arrived. */
    volatile boolean connected;

    private final Thread thread;
    private volatile InputStream stream;

    Sse(String url) {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream").build();
      thread =
          new Thread(
              () -> {
                try {
                  HttpResponse<InputStream> r =
                      http.send(req, HttpResponse.BodyHandlers.ofInputStream());
                  stream = r.body();
                  try (BufferedReader in =
                      new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                      connected = true;
                      if (line.startsWith("data:")) {
                        received.add(Json.mapper().readTree(line.substring(5).trim()));
                      }
                    }
                  }
                } catch (IOException | InterruptedException e) {
                  // closed
                }
              },
              "sse-" + url);
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws IOException {
      if (stream != null) {
        stream.close();
      }
      thread.interrupt();
    }
  }
}
