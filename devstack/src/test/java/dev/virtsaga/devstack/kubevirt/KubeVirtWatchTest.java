package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.create;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.name;
import static dev.virtsaga.devstack.kubevirt.KubeVirtObjects.vm;
import static dev.virtsaga.devstack.kubevirt.KubeVirtResource.VIRTUAL_MACHINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Watches as the API server serves them: versions, selectors, bookmarks, 410 Expired. */
class KubeVirtWatchTest {

  static KubeVirtSimulator sim;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    sim =
        KubeVirtSimulator.builder()
            .stepDelay(Duration.ofMillis(50))
            .bookmarkInterval(Duration.ofMillis(200))
            .build()
            .start();
    client = sim.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  @AfterEach
  void clearFaults() {
    sim.faults().clear();
  }

  /** Records events as "ACTION name" and how the watch closed. */
  static final class Recorder implements Watcher<GenericKubernetesResource> {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

    @Override
    public void eventReceived(Action action, GenericKubernetesResource resource) {
      events.add(action + " " + resource.getMetadata().getName());
    }

    @Override
    public void onClose(WatcherException cause) {
      closed.complete(cause);
    }

    void awaitEvent(String event) {
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains(event));
    }
  }

  private static Watch watch(KubernetesClient c, ListOptions options, Recorder recorder) {
    return c.genericKubernetesResources(VIRTUAL_MACHINE.context())
        .inNamespace("default")
        .watch(options, recorder);
  }

  private static String listedVersion() {
    return client
        .genericKubernetesResources(VIRTUAL_MACHINE.context())
        .inNamespace("default")
        .list()
        .getMetadata()
        .getResourceVersion();
  }

  @Test
  void aWatchSeesAddedModifiedAndDeleted() {
    // Given a watch on VMs with a label
    String name = name("watched");
    Recorder recorder = new Recorder();
    try (Watch w =
        client
            .genericKubernetesResources(VIRTUAL_MACHINE.context())
            .inNamespace("default")
            .withLabel("app", name)
            .watch(recorder)) {
      // When one is created, changed and deleted
      create(client, VIRTUAL_MACHINE, vm(name, "Halted"));
      create(client, VIRTUAL_MACHINE, vm(name("other"), "Halted"));
      recorder.awaitEvent("ADDED " + name);
      recorder.awaitEvent("MODIFIED " + name);
      client
          .genericKubernetesResources(VIRTUAL_MACHINE.context())
          .inNamespace("default")
          .withName(name)
          .delete();

      // Then the watch saw it all, and nothing of the other VM
      recorder.awaitEvent("DELETED " + name);
      assertThat(recorder.events).allMatch(e -> e.endsWith(" " + name));
    }
  }

  @Test
  void aWatchFromAListedVersionGetsOnlyLaterChanges() {
    String before = name("before");
    create(client, VIRTUAL_MACHINE, vm(before, "Halted"));
    await().pollDelay(Duration.ofMillis(300)).until(() -> true); // let the controller settle it
    String rv = listedVersion();

    Recorder recorder = new Recorder();
    try (Watch w =
        watch(client, new ListOptionsBuilder().withResourceVersion(rv).build(), recorder)) {
      String after = name("after");
      create(client, VIRTUAL_MACHINE, vm(after, "Halted"));
      recorder.awaitEvent("ADDED " + after);
      assertThat(recorder.events).doesNotContain("ADDED " + before);
    }
  }

  @Test
  void anExpiredWatchEndsWith410() throws Exception {
    // Given an open client watch, and one of the inspection client
    Recorder recorder = new Recorder();
    Recorder inspector = new Recorder();
    try (Watch w =
            watch(
                client,
                new ListOptionsBuilder().withResourceVersion(listedVersion()).build(),
                recorder);
        Watch i = watch(sim.client(), new ListOptions(), inspector)) {
      create(client, VIRTUAL_MACHINE, vm(name("ping"), "Halted"));
      await().atMost(Duration.ofSeconds(5)).until(() -> !recorder.events.isEmpty());

      // When the API expires one watch
      sim.faults().expireWatches(1);

      // Then the client's ends with 410 Gone, as fabric8 reports it; the inspector's does not
      WatcherException cause = recorder.closed.get(5, TimeUnit.SECONDS);
      assertThat(cause).isNotNull();
      assertThat(cause.isHttpGone()).isTrue();
      assertThat(inspector.closed).isNotDone();
    }
  }

  @Test
  void everyWatchExpiresDuringA410Storm() throws Exception {
    sim.faults().expireWatchesFor(Duration.ofSeconds(30));
    for (int i = 0; i < 3; i++) {
      Recorder recorder = new Recorder();
      try (Watch w =
          watch(
              client,
              new ListOptionsBuilder().withResourceVersion(listedVersion()).build(),
              recorder)) {
        assertThat(recorder.closed.get(5, TimeUnit.SECONDS).isHttpGone()).isTrue();
      }
    }
  }

  @Test
  void aVersionOlderThanTheHistoryIsGone() throws Exception {
    String rv = listedVersion();
    create(client, VIRTUAL_MACHINE, vm(name("change"), "Halted"));
    sim.compactWatchHistory();

    Recorder recorder = new Recorder();
    try (Watch w =
        watch(client, new ListOptionsBuilder().withResourceVersion(rv).build(), recorder)) {
      assertThat(recorder.closed.get(5, TimeUnit.SECONDS).isHttpGone()).isTrue();
    }
    // a fresh list gives a version to watch from
    Recorder fresh = new Recorder();
    try (Watch w =
        watch(
            client, new ListOptionsBuilder().withResourceVersion(listedVersion()).build(), fresh)) {
      String name = name("fresh");
      create(client, VIRTUAL_MACHINE, vm(name, "Halted"));
      fresh.awaitEvent("ADDED " + name);
    }
  }

  @Test
  void watchesThatAskForBookmarksGetThem() {
    Recorder recorder = new Recorder();
    try (Watch w =
        watch(
            client,
            new ListOptionsBuilder()
                .withResourceVersion(listedVersion())
                .withAllowWatchBookmarks(true)
                .build(),
            recorder)) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> recorder.events.stream().anyMatch(e -> e.startsWith("BOOKMARK")));
    }
  }

  @Test
  void anInformerListsAndWatches() {
    String existing = name("cached");
    create(client, VIRTUAL_MACHINE, vm(existing, "Halted"));
    SharedIndexInformer<GenericKubernetesResource> informer =
        client
            .genericKubernetesResources(VIRTUAL_MACHINE.context())
            .inNamespace("default")
            .inform();
    try {
      String later = name("cached");
      create(client, VIRTUAL_MACHINE, vm(later, "Halted"));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  informer.getStore().getByKey("default/" + existing) != null
                      && informer.getStore().getByKey("default/" + later) != null);
    } finally {
      informer.close();
    }
  }
}
