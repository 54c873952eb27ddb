package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Downloads and uploads against a loopback HTTP server: bodies, headers and failure types. */
class HttpTransferTest {
  private static final byte[] IMAGE = new byte[3 * (1 << 20) + 17];

  @TempDir Path dir;

  private HttpServer server;
  private final HttpTransfer http =
      new HttpTransfer(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30));
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, byte[]> stored = new ConcurrentHashMap<>();
  private final List<Map<String, String>> putHeaders = new CopyOnWriteArrayList<>();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final CountDownLatch release = new CountDownLatch(1);

  static {
    for (int i = 0; i < IMAGE.length; i++) {
      IMAGE[i] = (byte) (i * 31 + 7);
    }
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    try (exchange;
        InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readAllBytes();
      if (path.startsWith("/status/")) {
        String[] parts = path.substring("/status/".length()).split("/");
        if (parts.length > 1) {
          exchange.getResponseHeaders().add("Retry-After", parts[1]);
        }
        exchange.getResponseHeaders().add("Location", "http://192.0.2.1/elsewhere");
        exchange.sendResponseHeaders(Integer.parseInt(parts[0]), -1);
      } else if (path.equals("/slow-put")) {
        Thread.sleep(1000); // a server slower than the response timeout, within the transfer's
        stored.put(path, body);
        exchange.sendResponseHeaders(204, -1);
      } else if (path.equals("/slow")) {
        release.await(10, TimeUnit.SECONDS);
        exchange.sendResponseHeaders(200, -1);
      } else if ("PUT".equals(exchange.getRequestMethod())) {
        stored.put(path, body);
        putHeaders.add(
            Map.of(
                "type", exchange.getRequestHeaders().getFirst("Content-Type"),
                "sha", exchange.getRequestHeaders().getFirst("X-Checksum-SHA256")));
        exchange.sendResponseHeaders(201, -1);
      } else {
        exchange.sendResponseHeaders(200, IMAGE.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(IMAGE);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static ProviderException failureOf(Runnable call) {
    ProviderException e = catchThrowableOfType(call::run, ProviderException.class);
    assertThat(e).as("a ProviderException").isNotNull();
    return e;
  }

  @Test
  void aDownloadReplacesTheFileWithTheBody() throws IOException {
    // Given
    Path file = dir.resolve("image");
    Files.writeString(file, "older and longer content than nothing");

    // When
    http.download(url("/image.raw"), file);

    // Then
    assertThat(Files.readAllBytes(file)).isEqualTo(IMAGE);
  }

  @Test
  void anUploadPutsTheFileWithItsTypeAndChecksum() throws IOException {
    // Given
    Path file = dir.resolve("export");
    Files.write(file, IMAGE);
    String sha = QemuImg.sha256(file);

    // When
    http.upload(file, url("/bucket/export.qcow2?signature=abc"), sha);

    // Then
    assertThat(stored.get("/bucket/export.qcow2")).isEqualTo(IMAGE);
    assertThat(putHeaders).containsExactly(Map.of("type", "application/octet-stream", "sha", sha));
  }

  @ParameterizedTest(name = "GET answered {0} is {1}")
  @CsvSource({
    "503, UNAVAILABLE",
    "502, UNAVAILABLE",
    "504, UNAVAILABLE",
    "500, RETRYABLE",
    "429, RATE_LIMIT",
    "408, TIMEOUT",
    "404, NOT_FOUND",
    "410, NOT_FOUND",
    "401, UNAUTHORIZED",
    "403, UNAUTHORIZED",
    "400, INVALID_SPEC",
    "302, INVALID_SPEC",
  })
  void aDownloadAnsweredWithAnErrorIsTyped(int status, ErrorType type) throws IOException {
    // Given
    Path file = dir.resolve("image");
    Files.writeString(file, "kept");

    // When
    ProviderException e = failureOf(() -> http.download(url("/status/" + status), file));

    // Then
    assertThat(e.type()).isEqualTo(type);
    assertThat(Files.readString(file)).isEqualTo("kept");
    assertThat(requests).as("a redirect is not followed").hasValue(1);
  }

  @ParameterizedTest(name = "PUT answered {0} is {1}")
  @CsvSource({"503, UNAVAILABLE", "404, INVALID_SPEC", "413, INVALID_SPEC", "507, RETRYABLE"})
  void anUploadAnsweredWithAnErrorIsTyped(int status, ErrorType type) throws IOException {
    // Given
    Path file = dir.resolve("export");
    Files.write(file, IMAGE);

    // When
    ProviderException e = failureOf(() -> http.upload(file, url("/status/" + status), "00"));

    // Then
    assertThat(e.type()).isEqualTo(type);
  }

  @Test
  void theServersRetryAfterIsKept() {
    // When
    ProviderException limited =
        failureOf(() -> http.download(url("/status/429/7"), dir.resolve("a")));
    ProviderException down =
        failureOf(() -> http.download(url("/status/503/12"), dir.resolve("b")));

    // Then
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(7));
    assertThat(down.retryAfter()).contains(Duration.ofSeconds(12));
    assertThat(limited.isRetryable()).isTrue();
  }

  @Test
  void aServerThatDoesNotListenIsUnavailable() throws IOException {
    // Given: a port nobody listens on
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    // When
    ProviderException e =
        failureOf(
            () -> http.download(URI.create("http://127.0.0.1:" + port + "/x"), dir.resolve("x")));

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE);
  }

  @Test
  void aServerThatDoesNotAnswerInTimeIsATimeout() {
    // Given
    HttpTransfer impatient =
        new HttpTransfer(Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(30));

    // When
    ProviderException e = failureOf(() -> impatient.download(url("/slow"), dir.resolve("x")));

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
  }

  @Test
  void anUploadMayTakeLongerThanTheResponseTimeout() throws IOException {
    // Given
    HttpTransfer impatient =
        new HttpTransfer(Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(30));
    Path file = dir.resolve("export");
    Files.write(file, IMAGE);

    // When
    impatient.upload(file, url("/slow-put"), "00");

    // Then
    assertThat(stored.get("/slow-put")).isEqualTo(IMAGE);
  }

  @Test
  void messagesNeverShowTheQuery() {
    // When
    ProviderException e =
        failureOf(() -> http.download(url("/status/403?X-Signature=secret"), dir.resolve("x")));

    // Then
    assertThat(e.getMessage()).contains("/status/403").doesNotContain("secret");
  }
}
