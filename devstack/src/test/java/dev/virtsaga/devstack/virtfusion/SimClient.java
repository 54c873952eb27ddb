package dev.virtsaga.devstack.virtfusion;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A bare JDK HttpClient speaking to the simulator, as any VirtFusion client would. */
final class SimClient {

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String baseUrl;
  private final String token;

  SimClient(String baseUrl, String token) {
    this.baseUrl = baseUrl;
    this.token = token;
  }

  /** The answer to one request. */
  record Response(int status, String body, HttpHeaders headers) {

    JsonObject json() {
      return new JsonObject(body);
    }

    JsonObject data() {
      return json().getJsonObject("data");
    }

    JsonArray dataArray() {
      return json().getJsonArray("data");
    }

    JsonArray errors() {
      return json().getJsonArray("errors");
    }
  }

  Response get(String path) {
    return send(request(path).GET());
  }

  Response post(String path, JsonObject body) {
    return send(withBody(request(path), "POST", body));
  }

  Response put(String path, JsonObject body) {
    return send(withBody(request(path), "PUT", body));
  }

  Response delete(String path) {
    return send(request(path).DELETE());
  }

  /** Sends as is: any method, headers chosen by the caller; throws IOException when dropped. */
  HttpResponse<String> raw(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(20))
            .header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static HttpRequest.Builder withBody(
      HttpRequest.Builder b, String method, JsonObject body) {
    return b.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
  }

  private Response send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r = raw(b.build());
      return new Response(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
