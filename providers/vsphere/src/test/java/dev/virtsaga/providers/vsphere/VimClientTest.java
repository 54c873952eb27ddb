package dev.virtsaga.providers.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link VimClient} against one vcsim shared by the class: reads, faults, TLS. */
class VimClientTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  private static Vcsim vcsim;
  private static Vertx vertx;
  private VimClient client;

  @BeforeAll
  static void startVcsim() {
    vcsim = new Vcsim(VcsimInventory.defaults()).start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVcsim() {
    if (vcsim != null) {
      vcsim.stop();
    }
    if (vertx != null) {
      vertx.closeAndAwait();
    }
  }

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void connectsAndReadsTheTemplatesCpusAndPowerState() {
    // Given a client for vcsim (self-signed certificate, loopback)
    client = new VimClient(vertx, settings(vcsim.password()));

    // When it connects
    ServiceContent content = await(client.connect());

    // Then it is logged in to a vCenter
    assertThat(content.apiType()).isEqualTo("VirtualCenter");
    assertThat(client.logins()).isEqualTo(1);
    assertThat(client.sessionKey()).isPresent();

    // And the template is found and read
    ManagedObjectReference vm =
        await(client.findByInventoryPath(vcsim.templatePath())).orElseThrow();
    assertThat(vm.type()).isEqualTo("VirtualMachine");
    ObjectContent props =
        await(
            client.retrieveProperties(
                vm, List.of("config.hardware.numCPU", "runtime.powerState", "config.template")));
    assertThat(props.obj()).isEqualTo(vm);
    assertThat(props.number("config.hardware.numCPU")).contains(1L);
    assertThat(props.text("runtime.powerState")).contains("poweredOff");
    assertThat(props.text("config.template")).contains("true");
    assertThat(props.missing()).isEmpty();
    assertThat(await(client.currentTime())).isNotNull();
  }

  @Test
  void anUnknownInventoryPathIsEmpty() {
    client = new VimClient(vertx, settings(vcsim.password()));
    await(client.connect());

    assertThat(await(client.findByInventoryPath("/DC0/vm/no-such-vm"))).isEmpty();
  }

  @Test
  void aWrongPasswordIsUnauthorized() {
    // Given a client with a wrong password
    client = new VimClient(vertx, settings("wrong"));

    // When it connects, Then the InvalidLogin fault is UNAUTHORIZED
    assertThatThrownBy(() -> await(client.connect()))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.type()).isEqualTo(ErrorType.UNAUTHORIZED);
              assertThat(e.getMessage()).contains("InvalidLogin").doesNotContain("wrong");
            });
  }

  @Test
  void anUnknownManagedObjectIsNotFound() {
    // Given a connected client
    client = new VimClient(vertx, settings(vcsim.password()));
    await(client.connect());

    // When it reads a VM that does not exist, Then ManagedObjectNotFound is NOT_FOUND
    ManagedObjectReference ghost = new ManagedObjectReference("VirtualMachine", "vm-999999");
    assertThatThrownBy(() -> await(client.retrieveProperties(ghost, List.of("runtime.powerState"))))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_FOUND));
  }

  @Test
  void aPinnedCertificateIsTrustedAndTheJdksTrustStoreIsNot() throws Exception {
    // Given vcsim's self-signed certificate as PEM
    String pem = serverCertificatePem();

    // When a client trusts exactly that certificate, Then it connects (host name verified)
    client =
        new VimClient(vertx, settings(vcsim.password()).withTls(VimSettings.Tls.trusting(pem)));
    assertThat(await(client.connect()).apiType()).isEqualTo("VirtualCenter");

    // When a client trusts only the JDK's store, Then the handshake fails: UNAVAILABLE
    try (VimClient verified =
        new VimClient(vertx, settings(vcsim.password()).withTls(VimSettings.Tls.verified()))) {
      assertThatThrownBy(() -> await(verified.connect()))
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.UNAVAILABLE));
    }
  }

  @Test
  void afterLogoutTheClientMustConnectAgain() {
    client = new VimClient(vertx, settings(vcsim.password()));
    await(client.connect());

    await(client.logout());

    assertThat(client.sessionKey()).isEmpty();
    assertThatThrownBy(() -> client.findByInventoryPath("/DC0"))
        .isInstanceOf(IllegalStateException.class);
  }

  private static VimSettings settings(String password) {
    return VimSettings.of(vcsim.sdkUrl(), vcsim.username(), password)
        .withTls(VimSettings.Tls.insecureLoopback())
        .withRequestTimeout(Duration.ofSeconds(10));
  }

  private static String serverCertificatePem() throws Exception {
    try (SSLSocket socket =
        (SSLSocket)
            Vcsim.insecureSslContext().getSocketFactory().createSocket("127.0.0.1", vcsim.port())) {
      socket.startHandshake();
      Certificate cert = socket.getSession().getPeerCertificates()[0];
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    }
  }

  static <T> T await(Uni<T> uni) {
    return uni.await().atMost(WAIT);
  }
}
