package dev.virtsaga.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/**
 * A minimal Server-Sent Events client over HTTP/1.1 (as browsers' EventSource uses on plain http):
 * collects the events of one open stream.
 */
final class SseClient implements AutoCloseable {

  /** One received event. */
  record Event(String name, String id, String data) {}

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private volatile Flow.Subscription subscription;
  private volatile int status;

  private SseClient() {}

  static SseClient open(URI uri, String tenant) {
    SseClient client = new SseClient();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .header("Accept", "text/event-stream")
            .header(Tenant.HEADER, tenant)
            .GET()
            .build();
    HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .build()
        .sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(client.new Lines()))
        .thenAccept(r -> client.status = r.statusCode());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(client.lines)
                    .as("SSE stream (HTTP status %s)", client.status)
                    .anyMatch(l -> l.startsWith(":") && l.contains("connected")));
    return client;
  }

  /** The complete events received so far. */
  List<Event> events() {
    List<Event> events = new ArrayList<>();
    String name = null;
    String id = null;
    StringBuilder data = new StringBuilder();
    for (String line : lines) {
      if (line.isEmpty()) {
        if (data.length() > 0) {
          events.add(new Event(name, id, data.toString()));
        }
        name = null;
        id = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        name = line.substring(6).strip();
      } else if (line.startsWith("id:")) {
        id = line.substring(3).strip();
      } else if (line.startsWith("data:")) {
        data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).strip());
      }
    }
    return events;
  }

  int status() {
    return status;
  }

  @Override
  public void close() {
    if (subscription != null) {
      subscription.cancel();
    }
  }

  private final class Lines implements Flow.Subscriber<String> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      lines.add(line);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}
  }
}
