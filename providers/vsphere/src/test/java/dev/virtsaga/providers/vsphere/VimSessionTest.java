package dev.virtsaga.providers.vsphere;

import static dev.virtsaga.providers.vsphere.VimClientTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session: transparent re-login after vcsim restarts, keep-alive against the idle timeout. */
class VimSessionTest {
  private Vcsim vcsim;
  private Vertx vertx;
  private VimClient client;

  @BeforeEach
  void setUp() {
    vcsim = new Vcsim(VcsimInventory.defaults());
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    vcsim.stop();
    vertx.closeAndAwait();
  }

  @Test
  void afterVcsimRestartsTheNextCallLogsInAgainAndSucceeds() {
    // Given a connected client
    vcsim.start();
    client = new VimClient(vertx, settings(Duration.ZERO));
    ServiceContent content = await(client.connect());
    String firstSession = client.sessionKey().orElseThrow();

    // When vcsim crashes and comes back on the same port (every session is lost)
    vcsim.kill();
    vcsim.start();

    // Then a property read (answered with NotAuthenticated per property) logs in again
    ObjectContent root = await(client.retrieveProperties(content.rootFolder(), List.of("name")));
    assertThat(root.text("name")).contains("Datacenters");
    assertThat(client.logins()).isEqualTo(2);
    assertThat(client.sessionKey()).isPresent().get().isNotEqualTo(firstSession);

    // When it happens again, Then a call answered with a NotAuthenticated fault does the same
    vcsim.kill();
    vcsim.start();
    ManagedObjectReference vm =
        await(client.findByInventoryPath(vcsim.templatePath())).orElseThrow();
    assertThat(client.logins()).isEqualTo(3);
    assertThat(
            await(client.retrieveProperties(vm, List.of("config.hardware.numCPU")))
                .number("config.hardware.numCPU"))
        .contains(1L);
    assertThat(client.logins()).isEqualTo(3);
  }

  @Test
  void theKeepAliveHoldsASessionThatWouldOtherwiseIdleOut() {
    // Given vcsim dropping sessions idle for 1 s, and a client keeping its session alive every 200
    // ms
    vcsim.sessionIdleTimeout(Duration.ofSeconds(1)).start();
    client = new VimClient(vertx, settings(Duration.ofMillis(200)));
    await(client.connect());

    // When 2.5 s pass in keep-alives
    await().atMost(Duration.ofSeconds(15)).until(() -> client.keepAlives() >= 12);

    // Then the session is the first one still: no re-login was needed
    assertThat(await(client.findByInventoryPath(vcsim.templatePath()))).isPresent();
    assertThat(client.logins()).isEqualTo(1);
  }

  @Test
  void withoutKeepAliveAnIdleSessionIsDroppedAndTheNextCallLogsInAgain() {
    // Given vcsim dropping sessions idle for 1 s, and a client without keep-alive
    vcsim.sessionIdleTimeout(Duration.ofSeconds(1)).start();
    client = new VimClient(vertx, settings(Duration.ZERO));
    await(client.connect());

    // When it calls again after more than 1 s idle, Then it has logged in again, and the call
    // worked
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(1500))
        .until(
            () ->
                VimClientTest.await(client.findByInventoryPath(vcsim.templatePath())).isPresent()
                    && client.logins() >= 2);
    assertThat(client.keepAlives()).isZero();
  }

  private VimSettings settings(Duration keepAlive) {
    return VimSettings.of(vcsim.sdkUrl(), vcsim.username(), vcsim.password())
        .withTls(VimSettings.Tls.insecureLoopback())
        .withRequestTimeout(Duration.ofSeconds(10))
        .withKeepAliveInterval(keepAlive);
  }
}
