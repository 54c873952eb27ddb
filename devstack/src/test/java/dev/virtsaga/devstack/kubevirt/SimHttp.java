package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to the simulator, for what fabric8 has no DSL for (virt-api subresources). */
final class SimHttp {

  record Response(int code, String body) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException(body, e);
      }
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String base;

  SimHttp(KubeVirtSimulator sim) {
    this.base = sim.masterUrl();
  }

  Response send(String method, String path, String body) {
    return send(method, path, body, Duration.ofSeconds(10));
  }

  Response send(String method, String path, String body, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Response get(String path) {
    return send("GET", path, null);
  }

  /** {@code PUT /apis/subresources.kubevirt.io/v1/namespaces/default/<kind>/<name>/<action>}. */
  Response subresource(String plural, String name, String action) {
    return send(
        "PUT",
        "/apis/subresources.kubevirt.io/v1/namespaces/default/"
            + plural
            + "/"
            + name
            + "/"
            + action,
        "{}");
  }

  Response vm(String name, String action) {
    return subresource("virtualmachines", name, action);
  }

  Response vmi(String name, String action) {
    return subresource("virtualmachineinstances", name, action);
  }
}
