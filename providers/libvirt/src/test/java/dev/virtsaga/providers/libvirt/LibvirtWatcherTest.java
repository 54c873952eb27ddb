package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchEvent.Type;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.LibvirtException;

/** libvirt-specific behaviour of the watch, on the test driver's lifecycle events. */
class LibvirtWatcherTest {
  private static final Duration CALL = Duration.ofSeconds(30);

  private TestDriver driver;
  private ExecutorService executor;
  private LibvirtProvider provider;

  @BeforeEach
  void connect() throws LibvirtException {
    driver = new TestDriver();
    executor = Executors.newFixedThreadPool(2);
    provider = new LibvirtProvider(TestDriver.URI, executor);
  }

  @AfterEach
  void disconnect() throws LibvirtException {
    provider.close();
    executor.shutdownNow();
    driver.close();
  }

  private String create(String name) {
    String vmId = UUID.randomUUID().toString();
    provider
        .create(new CreateRequest(vmId, "op", name, 1, 64, 0, null, Map.of()))
        .await()
        .atMost(CALL);
    return vmId;
  }

  @Test
  void unmanagedDomainsNeverShowAndARedefinitionIsAModification() throws LibvirtException {
    // Given
    VmList list = provider.listWithVersion().await().atMost(CALL);
    AssertSubscriber<WatchEvent> watch =
        provider
            .watch(list.resourceVersion())
            .subscribe()
            .withSubscriber(AssertSubscriber.create(100));
    String unmanaged = "unmanaged-" + UUID.randomUUID().toString().substring(0, 8);

    // When
    driver.defineUnmanaged(unmanaged, null);
    String vmId = create("watched");
    // each change is observed before the next one: the watch reports current state, so changes
    // made faster than it reads them may be coalesced
    await()
        .atMost(CALL)
        .until(() -> watch.getItems().stream().anyMatch(e -> e.type() == Type.ADDED));
    provider.reconfigure(vmId, null, ReconfigureRequest.cpus(2)).await().atMost(CALL);
    await()
        .atMost(CALL)
        .until(() -> watch.getItems().stream().anyMatch(e -> e.type() == Type.MODIFIED));
    provider.delete(vmId, null).await().atMost(CALL);
    driver.undefine(unmanaged);

    // Then
    await()
        .atMost(CALL)
        .until(() -> watch.getItems().stream().anyMatch(e -> e.type() == Type.DELETED));
    assertThat(watch.getItems())
        .extracting(WatchEvent::type)
        .containsExactly(Type.ADDED, Type.MODIFIED, Type.DELETED);
    assertThat(watch.getItems()).allSatisfy(e -> assertThat(e.vmId()).isEqualTo(vmId));
    assertThat(watch.getItems().get(2).power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(list.items()).noneMatch(d -> d.vmId().equals(vmId));
    watch.cancel();
  }

  @Test
  void aConsumerThatFallsTooFarBehindGetsGoneInsteadOfAnUnboundedBuffer() {
    // Given: a watcher that requests nothing
    VmList list = provider.listWithVersion().await().atMost(CALL);
    AssertSubscriber<WatchEvent> stalled =
        provider
            .watch(list.resourceVersion())
            .subscribe()
            .withSubscriber(AssertSubscriber.create(0));

    AssertSubscriber<WatchEvent> keepingUp =
        provider
            .watch(list.resourceVersion())
            .subscribe()
            .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

    // When: more events than the buffer holds (a start and a stop per cycle)
    String vmId = create("burst");
    int cycles = LibvirtWatcher.HISTORY / 2 + 20;
    for (int i = 0; i < cycles; i++) {
      provider.power(vmId, null, PowerOp.ON).await().atMost(CALL);
      provider.power(vmId, null, PowerOp.OFF).await().atMost(CALL);
    }
    await().atMost(CALL).until(() -> keepingUp.getItems().size() >= 1 + 2 * cycles);
    provider.delete(vmId, null).await().atMost(CALL);

    // Then: the one that kept up saw everything, the stalled one is told to relist
    assertThat(keepingUp.getItems()).noneMatch(e -> e.type() == Type.GONE);
    keepingUp.cancel();
    stalled.request(Long.MAX_VALUE);
    stalled.awaitCompletion(CALL);
    assertThat(stalled.getItems()).last().extracting(WatchEvent::type).isEqualTo(Type.GONE);
  }
}
