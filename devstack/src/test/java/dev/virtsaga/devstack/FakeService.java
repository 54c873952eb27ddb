package dev.virtsaga.devstack;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny real HTTP service for {@link ServiceProcessTest}, run as a child JVM: serves {@code
 * /q/health/ready} on {@code QUARKUS_HTTP_PORT} and echoes the environment variable named in the
 * path at {@code /env/<NAME>}. Prints a line on start and one from its shutdown hook.
 */
public final class FakeService {
  private FakeService() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(System.getenv("QUARKUS_HTTP_PORT"));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    server.createContext(
        "/q/health/ready", exchange -> reply(exchange, 200, "{\"status\":\"UP\"}"));
    server.createContext(
        "/env/",
        exchange -> {
          String name = exchange.getRequestURI().getPath().substring("/env/".length());
          String value = System.getenv(name);
          reply(exchange, value == null ? 404 : 200, value == null ? "" : value);
        });
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> System.out.println("fake service: graceful shutdown")));
    System.out.println("fake service: listening on " + port);
  }

  private static void reply(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
