package dev.virtsaga.providers.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch opened on a fresh vCenter, before VirtSaga ever made a VM there (its vmId field is not
 * defined yet): the VMs made afterwards are watched like any other, also when the watch sees a
 * clone before it is tagged.
 */
class VSphereWatchFromScratchTest {
  private static final Duration WAIT = SimulatedVSphere.WAIT;
  private SimulatedVSphere vsphere;

  @BeforeEach
  void start() {
    vsphere = new SimulatedVSphere(new Vcsim(VcsimInventory.defaults()));
  }

  @AfterEach
  void stop() {
    vsphere.close();
  }

  @Test
  void vmsMadeAfterTheWatchOpenedOnAFreshVCenterAreWatched() {
    // Given a watch from the very first list (no vmId field yet)
    VSphereProvider provider = vsphere.provider();
    AssertSubscriber<WatchEvent> watch = watchFromTheFirstList(provider);

    // When a VM is made and powered on, then off
    String vmId = UUID.randomUUID().toString();
    String ref = made(provider, vmId, "fresh");
    provider.power(vmId, ref, PowerOp.ON).await().atMost(WAIT);
    provider.power(vmId, ref, PowerOp.OFF).await().atMost(WAIT);

    // Then the watch saw it come, run and stop
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(watch.getItems())
                    .filteredOn(e -> vmId.equals(e.vmId()))
                    .extracting(WatchEvent::power)
                    .contains(PowerState.ON)
                    .last()
                    .isEqualTo(PowerState.OFF));
    watch.cancel();
    provider.delete(vmId, ref).await().atMost(WAIT);
  }

  @Test
  void aVmTheFeedSawBeforeItWasTaggedIsWatchedOnceTagged() {
    // Given a vCenter where tagging a clone (SetField) comes a second after the clone, and a watch
    // opened before the VM is made: the feed sees the clone untagged first
    try (SimulatedVSphere slowTag =
        new SimulatedVSphere(
            new Vcsim(VcsimInventory.defaults()).methodDelay("SetField", Duration.ofSeconds(1)))) {
      VSphereProvider provider = slowTag.provider();
      AssertSubscriber<WatchEvent> watch = watchFromTheFirstList(provider);

      // When the VM is made (cloned, then tagged) and powered on
      String vmId = UUID.randomUUID().toString();
      String ref = made(provider, vmId, "tagged-late");
      provider.power(vmId, ref, PowerOp.ON).await().atMost(WAIT);

      // Then the watch reports it as soon as it carries its vmId, and its power-on
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(watch.getItems())
                      .filteredOn(e -> vmId.equals(e.vmId()))
                      .extracting(WatchEvent::type, WatchEvent::power)
                      .startsWith(tuple(WatchEvent.Type.ADDED, PowerState.OFF))
                      .contains(tuple(WatchEvent.Type.MODIFIED, PowerState.ON)));
      watch.cancel();
      provider.delete(vmId, ref).await().atMost(WAIT);
    }
  }

  /** A watch from the provider's first list, which finds no VM. */
  private static AssertSubscriber<WatchEvent> watchFromTheFirstList(VSphereProvider provider) {
    VmList empty = provider.listWithVersion().await().atMost(WAIT);
    assertThat(empty.items()).isEmpty();
    return provider
        .watch(empty.resourceVersion())
        .subscribe()
        .withSubscriber(AssertSubscriber.create(1000));
  }

  /** Makes a VM; its reference. */
  private static String made(VSphereProvider provider, String vmId, String name) {
    return provider
        .create(new CreateRequest(vmId, "op-" + vmId, name, 1, 64, 0, null, Map.of()))
        .await()
        .atMost(WAIT)
        .providerRef();
  }
}
