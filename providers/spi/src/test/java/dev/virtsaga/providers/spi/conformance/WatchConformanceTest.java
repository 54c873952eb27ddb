package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchEvent.Type;
import dev.virtsaga.providers.spi.WatchSource;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Capability#WATCH}: list with a resource version, then ADDED / MODIFIED / DELETED events
 * with power states, resuming from an event's version, and GONE (end of stream) when the source
 * lost its connection or does not know the version.
 */
public abstract class WatchConformanceTest extends CapabilityConformanceTest {
  /** How long an event may take to arrive. */
  protected static final Duration EVENT = Duration.ofSeconds(20);

  private final List<AssertSubscriber<WatchEvent>> subscribers = new ArrayList<>();

  /**
   * Breaks the source's connection to the hypervisor the way a daemon restart would; the source
   * must then signal GONE to its watchers and serve the next list on a new connection.
   */
  protected abstract void breakWatchConnection();

  @Override
  protected final Capability capability() {
    return Capability.WATCH;
  }

  @AfterEach
  void cancelWatches() {
    subscribers.forEach(AssertSubscriber::cancel);
  }

  private WatchSource source() {
    return as(WatchSource.class);
  }

  private AssertSubscriber<WatchEvent> watch(String resourceVersion) {
    AssertSubscriber<WatchEvent> s =
        source().watch(resourceVersion).subscribe().withSubscriber(AssertSubscriber.create(1000));
    subscribers.add(s);
    return s;
  }

  private static WatchEvent awaitEvent(
      AssertSubscriber<WatchEvent> s, Predicate<WatchEvent> matching) {
    await()
        .atMost(EVENT)
        .until(() -> s.getItems().stream().anyMatch(matching) || s.getFailure() != null);
    assertThat(s.getFailure()).isNull();
    return s.getItems().stream().filter(matching).findFirst().orElseThrow();
  }

  private static Predicate<WatchEvent> event(Type type, String vmId, PowerState power) {
    return e -> e.type() == type && vmId.equals(e.vmId()) && e.power() == power;
  }

  @Test
  void theListingHasTheManagedVmsAndAVersion() {
    // Given
    String vmId = newVm("conf-watch-list");

    // When
    VmList list = call(source().listWithVersion());

    // Then
    assertThat(list.resourceVersion()).isNotBlank();
    assertThat(list.items()).extracting(VmDescription::vmId).contains(vmId);
    assertThat(list.items()).allSatisfy(d -> assertThat(d.exists()).isTrue());
  }

  @Test
  void aWatchSeesAVmAddedModifiedAndDeleted() {
    // Given
    VmList list = call(source().listWithVersion());
    AssertSubscriber<WatchEvent> watch = watch(list.resourceVersion());

    // When / Then
    String vmId = newVm("conf-watch");
    awaitEvent(watch, event(Type.ADDED, vmId, PowerState.OFF));

    call(provider.power(vmId, null, PowerOp.ON));
    awaitEvent(watch, event(Type.MODIFIED, vmId, PowerState.ON));

    call(provider.power(vmId, null, PowerOp.OFF));
    awaitEvent(watch, event(Type.MODIFIED, vmId, PowerState.OFF));

    call(provider.delete(vmId, null));
    awaitEvent(watch, event(Type.DELETED, vmId, PowerState.NOT_FOUND));
    assertThat(watch.getItems()).noneMatch(e -> e.type() == Type.GONE);
  }

  @Test
  void aWatchResumedFromAnEventsVersionSeesOnlyLaterEvents() {
    // Given: a watch that saw the VM being added, then stopped
    VmList list = call(source().listWithVersion());
    AssertSubscriber<WatchEvent> first = watch(list.resourceVersion());
    String vmId = newVm("conf-watch-resume");
    WatchEvent added = awaitEvent(first, event(Type.ADDED, vmId, PowerState.OFF));
    first.cancel();

    // When: the VM changes while nobody watches, then a new watch resumes from the event
    call(provider.power(vmId, null, PowerOp.ON));
    AssertSubscriber<WatchEvent> resumed = watch(added.resourceVersion());

    // Then
    awaitEvent(resumed, event(Type.MODIFIED, vmId, PowerState.ON));
    assertThat(resumed.getItems()).noneMatch(e -> e.type() == Type.ADDED && vmId.equals(e.vmId()));
  }

  @Test
  void anUnknownVersionIsGoneAtOnce() {
    // When
    AssertSubscriber<WatchEvent> watch = watch("no-such-version");

    // Then
    watch.awaitCompletion(EVENT);
    assertThat(watch.getItems()).extracting(WatchEvent::type).containsExactly(Type.GONE);
  }

  @Test
  void aLostConnectionEndsTheWatchWithGoneAndARelistWatchesAgain() {
    // Given
    VmList before = call(source().listWithVersion());
    AssertSubscriber<WatchEvent> watch = watch(before.resourceVersion());

    // When
    breakWatchConnection();

    // Then: GONE, end of stream
    watch.awaitCompletion(EVENT);
    assertThat(watch.getItems()).last().extracting(WatchEvent::type).isEqualTo(Type.GONE);

    // And: the old version is gone too, a relist gives a working one
    AssertSubscriber<WatchEvent> stale = watch(before.resourceVersion());
    stale.awaitCompletion(EVENT);
    assertThat(stale.getItems()).extracting(WatchEvent::type).containsExactly(Type.GONE);
    VmList after = call(source().listWithVersion());
    AssertSubscriber<WatchEvent> again = watch(after.resourceVersion());
    String vmId = newVm("conf-watch-relist");
    awaitEvent(again, event(Type.ADDED, vmId, PowerState.OFF));
  }
}
