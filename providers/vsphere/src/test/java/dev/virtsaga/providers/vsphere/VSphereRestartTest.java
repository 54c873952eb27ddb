package dev.virtsaga.providers.vsphere;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * vcsim killed and started again on its port while the adapter works: every session, collector and
 * VM of the old server is gone. An operation in flight fails with a typed error (never hangs), the
 * watch ends with GONE, and the adapter logs in again by itself for the next call.
 */
class VSphereRestartTest {
  private static final Duration WAIT = SimulatedVSphere.WAIT;
  private SimulatedVSphere vsphere;

  @BeforeEach
  void start() {
    // a clone that takes 2 s, so that the restart falls inside it
    vsphere =
        new SimulatedVSphere(
            new Vcsim(VcsimInventory.defaults())
                .methodDelay("CloneVM_Task", Duration.ofSeconds(2)));
  }

  @AfterEach
  void stop() {
    vsphere.close();
  }

  private static CreateRequest request(String name) {
    String vmId = UUID.randomUUID().toString();
    return new CreateRequest(vmId, "op-" + vmId, name, 1, 64, 0, null, Map.of());
  }

  @Test
  void aCreateInFlightFailsTypedAndTheRetryLogsInAgainAndSucceeds() {
    // Given a create whose clone is running
    VSphereProvider provider = vsphere.provider();
    long loginsBefore = provider.vim().logins();
    CreateRequest request = request("restart");
    UniAssertSubscriber<CreateResult> inFlight =
        provider.create(request).subscribe().withSubscriber(UniAssertSubscriber.create());
    sleep(Duration.ofMillis(800));

    // When vcsim restarts under it
    vsphere.restartVcsim();

    // Then the create fails with a type the orchestrator retries, in bounded time
    Throwable failure = inFlight.awaitFailure(WAIT).getFailure();
    assertThat(failure).isInstanceOf(ProviderException.class);
    assertThat(((ProviderException) failure).type().isRetryable()).as("%s", failure).isTrue();

    // And the retry logs in to the new server and makes the VM there, once
    CreateResult retried = provider.create(request).await().atMost(WAIT);
    assertThat(retried.created()).isTrue();
    assertThat(provider.vim().logins()).isGreaterThan(loginsBefore);
    assertThat(vsphere.allVmNames()).filteredOn(n -> n.endsWith(request.vmId())).hasSize(1);
    provider.delete(request.vmId(), null).await().atMost(WAIT);
  }

  @Test
  void aWatchEndsWithGoneWhenTheServerRestartsAndARelistWatchesTheNewOne() {
    // Given a watch of a listed feed
    VSphereProvider provider = vsphere.provider();
    VmList before = provider.listWithVersion().await().atMost(WAIT);
    AssertSubscriber<WatchEvent> watch =
        provider
            .watch(before.resourceVersion())
            .subscribe()
            .withSubscriber(AssertSubscriber.create(100));

    // When
    vsphere.restartVcsim();

    // Then
    watch.awaitCompletion(WAIT);
    assertThat(watch.getItems())
        .last()
        .extracting(WatchEvent::type)
        .isEqualTo(WatchEvent.Type.GONE);
    VmList after = provider.listWithVersion().await().atMost(WAIT);
    assertThat(after.resourceVersion()).isNotEqualTo(before.resourceVersion());
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
