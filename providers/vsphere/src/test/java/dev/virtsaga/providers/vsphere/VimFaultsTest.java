package dev.virtsaga.providers.vsphere;

import static dev.virtsaga.providers.vsphere.VimClientTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.virtsaga.devstack.Ports;
import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.vertx.mutiny.core.Vertx;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Faults, timeouts and HTTP failures → {@link ErrorType}. */
class VimFaultsTest {
  private Vertx vertx;
  private HttpServer stub;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (stub != null) {
      stub.stop(0);
    }
    vertx.closeAndAwait();
  }

  @Test
  void aCallSlowerThanTheRequestTimeoutIsTimeout() {
    // Given vcsim delaying every property read by 3 s, and a client that waits 1 s
    try (Vcsim vcsim =
            new Vcsim(VcsimInventory.defaults())
                .methodDelay("RetrievePropertiesEx", Duration.ofSeconds(3))
                .start();
        VimClient client =
            new VimClient(
                vertx,
                VimSettings.of(vcsim.sdkUrl(), vcsim.username(), vcsim.password())
                    .withTls(VimSettings.Tls.insecureLoopback())
                    .withRequestTimeout(Duration.ofSeconds(1)))) {
      ServiceContent content = await(client.connect());

      // When it reads a property, Then it fails TIMEOUT after about 1 s
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> await(client.retrieveProperties(content.rootFolder(), List.of("name"))))
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void http503IsUnavailable() throws Exception {
    // Given a server that answers 503 with no body
    URI sdk = stub(503, "");

    // When a client connects, Then UNAVAILABLE
    assertConnectFails(sdk, ErrorType.UNAVAILABLE);
  }

  @Test
  void aRefusedConnectionIsUnavailable() {
    assertConnectFails(
        URI.create("http://127.0.0.1:" + Ports.free() + "/sdk"), ErrorType.UNAVAILABLE);
  }

  @ParameterizedTest
  @CsvSource({
    "InvalidLogin, UNAUTHORIZED",
    "NoPermission, UNAUTHORIZED",
    "ManagedObjectNotFound, NOT_FOUND",
    "InvalidState, CONFLICT",
    "InvalidPowerState, CONFLICT",
    "TaskInProgress, CONFLICT",
    "InvalidArgument, INVALID_SPEC",
    "InvalidRequest, INVALID_SPEC",
    "NotSupported, NOT_SUPPORTED",
    "SystemError, RETRYABLE",
  })
  void aSoapFaultIsTypedByItsDetail(String fault, ErrorType expected) throws Exception {
    // Given a server that answers every call with that fault, as vCenter does (HTTP 500)
    URI sdk =
        stub(
            500,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
                + "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
                + "<faultstring>it went wrong</faultstring><detail><"
                + fault
                + "Fault xmlns=\"urn:vim25\" xsi:type=\""
                + fault
                + "\"/></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>");

    // When a client connects, Then the fault's type decides
    assertConnectFails(sdk, expected);
  }

  @Test
  void aServerErrorWithoutAFaultIsRetryable() throws Exception {
    assertConnectFails(stub(500, "oops"), ErrorType.RETRYABLE);
  }

  @Test
  void insecureTlsIsForLoopbackOnly() {
    VimSettings remote =
        VimSettings.of(URI.create("https://vcenter.example.com/sdk"), "u", "s3cret-pw");

    assertThatThrownBy(() -> remote.withTls(VimSettings.Tls.insecureLoopback()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    assertThat(remote.toString()).doesNotContain("s3cret-pw").contains("vcenter.example.com");
    for (String host : List.of("127.0.0.1", "localhost", "[::1]")) {
      assertThat(
              VimSettings.of(URI.create("https://" + host + ":8989/sdk"), "u", "p")
                  .withTls(VimSettings.Tls.insecureLoopback())
                  .tls()
                  .insecure())
          .isTrue();
    }
  }

  private void assertConnectFails(URI sdk, ErrorType expected) {
    try (VimClient client =
        new VimClient(
            vertx, VimSettings.of(sdk, "user", "pass").withRequestTimeout(Duration.ofSeconds(5)))) {
      assertThatThrownBy(() -> await(client.connect()))
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.type()).isEqualTo(expected));
    }
  }

  /** A loopback HTTP server answering every POST to /sdk with that status and body. */
  private URI stub(int status, String body) throws Exception {
    stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext(
        "/sdk",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/xml; charset=utf-8");
          exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    stub.start();
    return URI.create("http://127.0.0.1:" + stub.getAddress().getPort() + "/sdk");
  }
}
