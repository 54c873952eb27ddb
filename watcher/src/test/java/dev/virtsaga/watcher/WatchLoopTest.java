package dev.virtsaga.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.kubevirt.KubeVirtResource;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.CircuitChanged;
import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.providers.kubevirt.KubeVirtProvider;
import dev.virtsaga.providers.kubevirt.KubeVirtSettings;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch loop against the KubeVirt simulator (a real Kubernetes API over HTTP with watches,
 * bookmarks, 410s, 503s and silence): changes made behind the loop's back, a 410 storm, VMs that
 * vanish while the API is down, an API that stops answering.
 */
class WatchLoopTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ResourceDefinitionContext VMS = KubeVirtResource.VIRTUAL_MACHINE.context();

  /**
   * Short timeouts and intervals for tests on simulators (list timeout 1 s, probes every 300 ms).
   */
  static final WatcherSettings SETTINGS =
      new WatcherSettings(
          Duration.ofMillis(50),
          Duration.ofMillis(800),
          0.5,
          3,
          Duration.ofSeconds(1),
          Duration.ofSeconds(1),
          Duration.ofSeconds(30),
          Duration.ofMillis(300),
          Duration.ofMillis(500),
          Duration.ofMinutes(10));

  private static KubeVirtSimulator sim;
  private static ExecutorService executor;
  private static KubeVirtProvider provider;

  private final List<Observation> published = new CopyOnWriteArrayList<>();
  private final ObservationSink sink =
      batch -> {
        published.addAll(batch);
        return Uni.createFrom().voidItem();
      };
  private WatchLoop loop;

  @BeforeAll
  static void start() {
    sim =
        KubeVirtSimulator.builder()
            .stepDelay(Duration.ofMillis(20))
            .bookmarkInterval(Duration.ofMillis(300))
            .build()
            .start();
    executor = Executors.newFixedThreadPool(8);
    provider =
        new KubeVirtProvider(
            KubeVirtSettings.of(sim.masterUrl(), sim.namespace())
                .withTimeouts(
                    new ProviderTimeouts(
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(20),
                        Duration.ofMillis(25),
                        Duration.ofSeconds(5))),
            executor);
    provider.validate().await().atMost(WAIT);
  }

  @AfterAll
  static void stop() {
    if (sim != null) {
      sim.close();
    }
    if (executor != null) {
      executor.shutdownNow();
    }
  }

  @AfterEach
  void closeLoop() {
    sim.faults().clear();
    sim.faults().available();
    if (loop != null) {
      loop.close();
    }
  }

  private WatchLoop startLoop() {
    loop =
        new WatchLoop(
            "kubevirt",
            "default",
            provider,
            provider::validate,
            sink,
            SETTINGS,
            Clock.systemUTC(),
            new Random());
    loop.start();
    return loop;
  }

  /** A running VM made through the adapter; its vmId and name. */
  private static String[] runningVm(String name) {
    String vmId = UUID.randomUUID().toString();
    String ref =
        provider
            .create(new CreateRequest(vmId, "op-" + vmId, name, 1, 128, 0, null, Map.of()))
            .await()
            .atMost(WAIT)
            .providerRef();
    provider.power(vmId, ref, PowerOp.ON).await().atMost(WAIT);
    return new String[] {vmId, ref};
  }

  private List<VmObserved> observedOf(String vmId) {
    return published.stream()
        .filter(o -> o instanceof VmObserved v && v.vmId().equals(vmId))
        .map(VmObserved.class::cast)
        .toList();
  }

  private <T extends Observation> List<T> all(Class<T> type) {
    return published.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private VmObserved last(String vmId) {
    List<VmObserved> seen = observedOf(vmId);
    return seen.isEmpty() ? null : seen.get(seen.size() - 1);
  }

  private void awaitPower(String vmId, PowerState power, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> last(vmId) != null && last(vmId).power() == power);
  }

  @Test
  void theFirstListReportsEveryVmAndChangesBehindOurBackFollowWithinASecond() {
    // Given a running VM, and the loop started after it
    String[] vm = runningVm("w-first");
    startLoop();

    // Then: ADDED by the initial relist, the relist announced, the endpoint healthy
    awaitPower(vm[0], PowerState.ON, WAIT);
    assertThat(observedOf(vm[0]).get(0).kind()).isEqualTo(VmObserved.Kind.ADDED);
    assertThat(observedOf(vm[0]).get(0).fromRelist()).isTrue();
    assertThat(observedOf(vm[0]).get(0).providerRef()).isEqualTo(vm[1]);
    assertThat(all(WatcherRelisted.class))
        .first()
        .extracting(WatcherRelisted::reason)
        .isEqualTo(WatchLoop.INITIAL);
    await().atMost(WAIT).until(() -> loop.health() == ProviderHealth.HEALTHY);

    // When powered off behind the loop's back, then deleted
    provider.power(vm[0], vm[1], PowerOp.OFF).await().atMost(WAIT);
    awaitPower(vm[0], PowerState.OFF, Duration.ofSeconds(1));
    VmObserved off = last(vm[0]);
    assertThat(off.kind()).isEqualTo(VmObserved.Kind.MODIFIED);
    assertThat(off.fromRelist()).isFalse();
    provider.delete(vm[0], vm[1]).await().atMost(WAIT);
    awaitPower(vm[0], PowerState.NOT_FOUND, Duration.ofSeconds(1));

    // Then: each change observed once, from the watch
    assertThat(last(vm[0]).kind()).isEqualTo(VmObserved.Kind.DELETED);
    assertNoRepeats(observedOf(vm[0]));
    assertThat(loop.stats().failures()).isZero();
  }

  @Test
  void a410StormEndsInRelistsWithNoLostOrDuplicatedObservationAndTheBreakerClosed() {
    // Given three running VMs being watched
    List<String[]> vms = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      vms.add(runningVm("w-storm-" + i));
    }
    startLoop();
    for (String[] vm : vms) {
      awaitPower(vm[0], PowerState.ON, WAIT);
    }
    long relistsBefore = loop.stats().relists();

    // When every watch ends in 410 Expired for two seconds while the VMs are powered off
    sim.faults().expireWatchesFor(Duration.ofSeconds(2));
    for (String[] vm : vms) {
      provider.power(vm[0], vm[1], PowerOp.OFF).await().atMost(WAIT);
    }

    // Then: every VM's power-off observed, none twice, nothing lost
    for (String[] vm : vms) {
      awaitPower(vm[0], PowerState.OFF, WAIT);
    }
    await().atMost(WAIT).until(() -> loop.stats().watches() > 0 && loop.resourceVersion() != null);
    for (String[] vm : vms) {
      assertNoRepeats(observedOf(vm[0]));
      assertThat(observedOf(vm[0]).stream().filter(o -> o.power() == PowerState.OFF)).hasSize(1);
    }
    // relisted after each 410, which never touched the breaker
    assertThat(loop.stats().gones()).isGreaterThanOrEqualTo(2);
    assertThat(loop.stats().relists() - relistsBefore).isGreaterThanOrEqualTo(2);
    assertThat(all(WatcherRelisted.class))
        .anySatisfy(r -> assertThat(r.reason()).isEqualTo(WatchLoop.GONE));
    assertThat(all(CircuitChanged.class)).isEmpty();
    assertThat(loop.circuit()).isEqualTo(CircuitState.CLOSED);
    assertThat(loop.stats().failures()).isZero();

    // and the watch works afterwards
    String[] after = vms.get(0);
    provider.power(after[0], after[1], PowerOp.ON).await().atMost(WAIT);
    awaitPower(after[0], PowerState.ON, Duration.ofSeconds(5));
  }

  @Test
  void vmsThatVanishWhileTheApiIsDownAreReportedDeletedWhenItReturns() {
    // Given a watched VM
    String[] vm = runningVm("w-vanish");
    startLoop();
    awaitPower(vm[0], PowerState.ON, WAIT);

    // When the API answers 503 to the watcher, and the VM is deleted meanwhile
    sim.faults().unavailable();
    await().atMost(WAIT).until(() -> loop.circuit() == CircuitState.OPEN);
    assertThat(loop.health()).isEqualTo(ProviderHealth.UNREACHABLE);
    sim.client()
        .genericKubernetesResources(VMS)
        .inNamespace(sim.namespace())
        .withName(vm[1])
        .delete();
    sim.faults().available();

    // Then: the breaker's probe relists, finds it gone and says so; all is well again
    awaitPower(vm[0], PowerState.NOT_FOUND, WAIT);
    assertThat(last(vm[0]).fromRelist()).isTrue();
    await().atMost(WAIT).until(() -> loop.circuit() == CircuitState.CLOSED);
    assertThat(all(WatcherRelisted.class))
        .anySatisfy(
            r -> {
              assertThat(r.reason()).isEqualTo(WatchLoop.RECOVERED);
              assertThat(r.vanished()).isEqualTo(1);
            });
    await().atMost(WAIT).until(() -> loop.health() == ProviderHealth.HEALTHY);
  }

  @Test
  void anApiThatStopsAnsweringOpensTheBreakerWhichBacksOffAndRecoversByItself() {
    // Given a watched VM
    String[] vm = runningVm("w-silent");
    startLoop();
    awaitPower(vm[0], PowerState.ON, WAIT);
    await().atMost(WAIT).until(() -> loop.health() == ProviderHealth.HEALTHY);

    // When the API stops answering for a while
    sim.faults().unresponsive();

    // Then: unreachable, the breaker opens, and its probes fail while the silence lasts
    await().atMost(WAIT).until(() -> loop.circuit() == CircuitState.OPEN);
    assertThat(loop.health()).isEqualTo(ProviderHealth.UNREACHABLE);
    await()
        .atMost(WAIT)
        .until(
            () ->
                all(CircuitChanged.class).stream()
                    .anyMatch(
                        c -> c.from() == CircuitState.HALF_OPEN && c.to() == CircuitState.OPEN));
    assertThat(all(ProviderHealthChanged.class))
        .extracting(ProviderHealthChanged::health)
        .contains(ProviderHealth.UNREACHABLE);

    // When it answers again, with a change made while it was silent
    sim.faults().available();
    provider.power(vm[0], vm[1], PowerOp.OFF).await().atMost(WAIT);

    // Then: closed and healthy again by itself, the change observed
    await().atMost(WAIT).until(() -> loop.circuit() == CircuitState.CLOSED);
    awaitPower(vm[0], PowerState.OFF, WAIT);
    await().atMost(WAIT).until(() -> loop.health() == ProviderHealth.HEALTHY);
    List<CircuitChanged> changes = all(CircuitChanged.class);
    assertThat(changes.get(0).from()).isEqualTo(CircuitState.CLOSED);
    assertThat(changes.get(0).to()).isEqualTo(CircuitState.OPEN);
    assertThat(changes.get(changes.size() - 1).to()).isEqualTo(CircuitState.CLOSED);
    assertNoRepeats(observedOf(vm[0]));
  }

  @Test
  void aSlowHealthCheckIsNeverRunTwiceAtOnceAndIsNotAFailure() {
    // Given a watched VM and a health check that answers after 450 ms (probes every 300 ms,
    // timing out after 500 ms)
    String[] vm = runningVm("w-slow-probe");
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger checks = new AtomicInteger();
    loop =
        new WatchLoop(
            "kubevirt",
            "default",
            provider,
            () ->
                Uni.createFrom()
                    .item(
                        () -> {
                          checks.incrementAndGet();
                          mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                          return 1;
                        })
                    .onItem()
                    .delayIt()
                    .by(Duration.ofMillis(450))
                    .eventually(running::decrementAndGet),
            sink,
            SETTINGS,
            Clock.systemUTC(),
            new Random());
    loop.start();
    awaitPower(vm[0], PowerState.ON, WAIT);

    // When the loop has checked the endpoint several times
    await().atMost(WAIT).until(() -> checks.get() >= 4);

    // Then: one check at a time, none counted as a failure, and the watch kept working
    assertThat(mostAtOnce.get()).isEqualTo(1);
    assertThat(loop.stats().failures()).isZero();
    assertThat(loop.health()).isEqualTo(ProviderHealth.HEALTHY);
    assertThat(loop.stats().relists()).isEqualTo(1);
    provider.power(vm[0], vm[1], PowerOp.OFF).await().atMost(WAIT);
    awaitPower(vm[0], PowerState.OFF, Duration.ofSeconds(1));
  }

  @Test
  void whatCouldNotBePublishedIsReportedAgainAndNeverCountsAgainstTheProvider() {
    // Given a sink that refuses its first batches
    String[] vm = runningVm("w-sink");
    int[] refusals = {2};
    List<Observation> delivered = new CopyOnWriteArrayList<>();
    loop =
        new WatchLoop(
            "kubevirt",
            "default",
            provider,
            provider::validate,
            batch -> {
              synchronized (refusals) {
                if (refusals[0] > 0) {
                  refusals[0]--;
                  return Uni.createFrom().failure(new IllegalStateException("broker down"));
                }
              }
              delivered.addAll(batch);
              return Uni.createFrom().voidItem();
            },
            SETTINGS,
            Clock.systemUTC(),
            new Random());
    loop.start();

    // Then: the VM is reported once the sink takes it; the breaker never moved
    await()
        .atMost(WAIT)
        .until(
            () ->
                delivered.stream()
                    .anyMatch(o -> o instanceof VmObserved v && v.vmId().equals(vm[0])));
    assertThat(loop.circuit()).isEqualTo(CircuitState.CLOSED);
    assertThat(loop.stats().failures()).isZero();
  }

  @Test
  void everyKnownVmIsReportedAgainAtEachResync() {
    // Given a loop that resyncs every 300 ms, watching a VM that does not change
    String[] vm = runningVm("w-resync");
    loop =
        new WatchLoop(
            "kubevirt",
            "default",
            provider,
            provider::validate,
            sink,
            new WatcherSettings(
                SETTINGS.backoffInitial(),
                SETTINGS.backoffMax(),
                SETTINGS.jitter(),
                SETTINGS.breakerThreshold(),
                SETTINGS.breakerOpenFor(),
                SETTINGS.listTimeout(),
                SETTINGS.watchRestart(),
                SETTINGS.probeInterval(),
                SETTINGS.probeTimeout(),
                Duration.ofMillis(300)),
            Clock.systemUTC(),
            new Random());
    loop.start();

    // Then: reported again as it is, without a relist or a change
    await().atMost(WAIT).until(() -> observedOf(vm[0]).size() >= 3);
    List<VmObserved> seen = observedOf(vm[0]);
    assertThat(seen.get(0).kind()).isEqualTo(VmObserved.Kind.ADDED);
    assertThat(seen.subList(1, seen.size()))
        .allSatisfy(
            o -> {
              assertThat(o.kind()).isEqualTo(VmObserved.Kind.MODIFIED);
              assertThat(o.power()).isEqualTo(PowerState.ON);
              assertThat(o.fromRelist()).isTrue();
            });
    assertThat(loop.stats().relists()).isEqualTo(1);
  }

  private static void assertNoRepeats(List<VmObserved> seen) {
    for (int i = 1; i < seen.size(); i++) {
      VmObserved a = seen.get(i - 1);
      VmObserved b = seen.get(i);
      assertThat(a.kind() == b.kind() && a.power() == b.power() && a.ips().equals(b.ips()))
          .as("observation %d repeats %d: %s", i, i - 1, seen)
          .isFalse();
    }
  }
}
