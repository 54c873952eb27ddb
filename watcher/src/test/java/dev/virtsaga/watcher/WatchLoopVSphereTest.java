package dev.virtsaga.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.vsphere.VSphereProvider;
import dev.virtsaga.providers.vsphere.VSphereSettings;
import dev.virtsaga.providers.vsphere.VimSettings;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch loop on a simulated vCenter (vcsim) whose first list answers only after the loop gave
 * up on it — a worker starting on a busy machine: the loop lists again and its watch must then see
 * every change.
 */
class WatchLoopVSphereTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private Vcsim vcsim;
  private Vertx vertx;
  private VSphereProvider provider;
  private WatchLoop loop;
  private final List<Observation> published = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    // a feed's start (CreatePropertyCollector) takes longer than the loop's 1 s list timeout
    vcsim =
        new Vcsim(VcsimInventory.defaults())
            .methodDelay("CreatePropertyCollector", Duration.ofMillis(1500))
            .start();
    vertx = Vertx.vertx();
    VimSettings vim =
        VimSettings.of(vcsim.sdkUrl(), vcsim.username(), vcsim.password())
            .withTls(VimSettings.Tls.insecureLoopback());
    provider = new VSphereProvider(vertx, VSphereSettings.of(vim, vcsim.templatePath()));
  }

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
    provider.close();
    vertx.closeAndAwait();
    vcsim.close();
  }

  @Test
  void aFirstListThatAnswersTooLateIsListedAgainAndTheWatchSeesEveryChange() {
    // Given a loop whose first list answers too late (its feed takes 1.5 s to start)
    loop =
        new WatchLoop(
            "vsphere",
            "DC0",
            provider,
            provider::validate,
            batch -> {
              published.addAll(batch);
              return Uni.createFrom().voidItem();
            },
            WatchLoopTest.SETTINGS,
            Clock.systemUTC(),
            new Random());
    loop.start();
    await().atMost(WAIT).until(() -> loop.stats().watches() > 0);
    assertThat(loop.stats().failures()).isGreaterThanOrEqualTo(1);

    // When a VM is made, powered on and then off
    String vmId = UUID.randomUUID().toString();
    String ref =
        provider
            .create(new CreateRequest(vmId, "op-" + vmId, "late-list", 1, 64, 0, null, Map.of()))
            .await()
            .atMost(WAIT)
            .providerRef();
    provider.power(vmId, ref, PowerOp.ON).await().atMost(WAIT);
    awaitPower(vmId, PowerState.ON);
    provider.power(vmId, ref, PowerOp.OFF).await().atMost(WAIT);

    // Then the watch saw it all
    awaitPower(vmId, PowerState.OFF);
    provider.delete(vmId, ref).await().atMost(WAIT);
    awaitPower(vmId, PowerState.NOT_FOUND);
  }

  private void awaitPower(String vmId, PowerState power) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () ->
                published.stream()
                    .filter(o -> o instanceof VmObserved v && v.vmId().equals(vmId))
                    .map(VmObserved.class::cast)
                    .reduce((a, b) -> b)
                    .map(v -> v.power() == power)
                    .orElse(false));
  }
}
