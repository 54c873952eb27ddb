package dev.virtsaga.watcher;

import dev.virtsaga.devstack.kubevirt.KubeVirtResource;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.providers.kubevirt.KubeVirtProvider;
import dev.virtsaga.providers.kubevirt.KubeVirtSettings;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The relist through the watcher: a {@link WatchLoop} on devstack's KubeVirt simulator holding N
 * managed VMs. Measures the first list (every VM reported ADDED) and then relists forced by 410
 * Gone ({@code faults().expireWatches(1)}): from the moment the watch is expired to the {@code
 * watcher.relisted} event, which comes after the list, the reconciliation against what the loop
 * knew and the publication of the observations. Then, with all N watched, the latency from a change
 * on the provider to its {@code vm.observed}. Not a test: run by {@code bin/bench-relist [N]
 * [rounds] [changes]}; results go to docs/benchmarks.md.
 */
public final class WatcherRelistBenchmark {
  private static final ResourceDefinitionContext VM = KubeVirtResource.VIRTUAL_MACHINE.context();

  private WatcherRelistBenchmark() {}

  /** Runs the benchmark; exits 0 after the results, 1 on a failure. */
  public static void main(String[] args) {
    int status = 0;
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    }
    // the mock server's and the clients' threads would keep the JVM up after the results
    System.exit(status);
  }

  private static void run(String[] args) throws Exception {
    int vms = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int changes = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    // a slow controller: the VMs stay Halted, the benchmark measures the API, mapping and loop
    KubeVirtSimulator sim =
        KubeVirtSimulator.builder()
            .stepDelay(Duration.ofSeconds(1))
            .bookmarkInterval(Duration.ofSeconds(60))
            .build()
            .start();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      long t0 = System.nanoTime();
      List<Future<String[]>> made = new ArrayList<>();
      for (int i = 0; i < vms; i++) {
        int n = i;
        made.add(pool.submit(() -> create(sim, n)));
      }
      List<String[]> created = new ArrayList<>();
      for (Future<String[]> f : made) {
        created.add(f.get());
      }
      System.out.printf(
          "created %d VirtualMachines in %.1f s%n", vms, (System.nanoTime() - t0) / 1e9);

      KubeVirtProvider provider =
          new KubeVirtProvider(
              KubeVirtSettings.of(sim.masterUrl(), sim.namespace())
                  .withTimeouts(
                      new ProviderTimeouts(
                          Duration.ofMinutes(1),
                          Duration.ofMinutes(1),
                          Duration.ofMillis(100),
                          Duration.ofSeconds(60))),
              pool);
      LinkedBlockingQueue<WatcherRelisted> relisted = new LinkedBlockingQueue<>();
      AtomicLong observed = new AtomicLong();
      Map<String, Long> firstOnAt = new ConcurrentHashMap<>();
      WatcherSettings settings =
          new WatcherSettings(
              Duration.ofMillis(200),
              Duration.ofSeconds(5),
              0.5,
              5,
              Duration.ofSeconds(10),
              Duration.ofMinutes(1),
              Duration.ofMinutes(30),
              Duration.ofMinutes(30),
              Duration.ofSeconds(30),
              Duration.ofMinutes(30));
      try (WatchLoop loop =
          new WatchLoop(
              "kubevirt",
              "default",
              provider,
              provider::validate,
              batch -> {
                for (Observation o : batch) {
                  if (o instanceof VmObserved v) {
                    observed.incrementAndGet();
                    if (v.power() == PowerState.ON) {
                      firstOnAt.putIfAbsent(v.vmId(), System.nanoTime());
                    }
                  } else if (o instanceof WatcherRelisted r) {
                    relisted.add(r);
                  }
                }
                return Uni.createFrom().voidItem();
              },
              settings,
              Clock.systemUTC(),
              new Random())) {
        long start = System.nanoTime();
        loop.start();
        WatcherRelisted first = next(relisted);
        double firstMs = (System.nanoTime() - start) / 1e6;
        check(first, vms);
        System.out.printf(
            "first list through the watcher: %.0f ms (list %d ms), %d VMs reported ADDED%n",
            firstMs, first.durationMs(), observed.get());

        List<Double> total = new ArrayList<>();
        List<Long> list = new ArrayList<>();
        awaitWatching(loop, 0);
        for (int round = -3; round < rounds; round++) { // 3 warm-up rounds
          long watches = loop.stats().watches();
          long before = observed.get();
          long s = System.nanoTime();
          sim.faults().expireWatches(1);
          WatcherRelisted r = next(relisted);
          double ms = (System.nanoTime() - s) / 1e6;
          check(r, vms);
          if (observed.get() != before || r.vanished() != 0) {
            throw new IllegalStateException("a relist of unchanged VMs reported changes");
          }
          awaitWatching(loop, watches); // watching again: the next 410 has a watch to end
          if (round >= 0) {
            total.add(ms);
            list.add(r.durationMs());
          }
        }
        Collections.sort(total);
        Collections.sort(list);
        System.out.printf(
            "relist after 410 of %d VMs through the watcher (%d rounds after 3 warm-up):"
                + " 410 -> watcher.relisted min %.0f ms, median %.0f ms, max %.0f ms;"
                + " of which the list median %d ms%n",
            vms,
            rounds,
            total.get(0),
            total.get(total.size() / 2),
            total.get(total.size() - 1),
            list.get(list.size() / 2));

        changeToObserved(sim, loop, created, changes, firstOnAt);
      }
      provider.close();
    } finally {
      pool.shutdownNow();
      sim.close();
    }
  }

  /**
   * Provider change → observation: one VM after the other (each once) is shown Running by a status
   * write through the Kubernetes API, as virt-controller would; measured from just before the write
   * to the watcher handing the VM's {@code vm.observed} (power ON) to its sink.
   */
  private static void changeToObserved(
      KubeVirtSimulator sim,
      WatchLoop loop,
      List<String[]> created,
      int changes,
      Map<String, Long> firstOnAt)
      throws InterruptedException {
    List<Double> latency = new ArrayList<>();
    int warmUp = Math.min(20, created.size() / 10);
    for (int i = 0; i < Math.min(changes + warmUp, created.size()); i++) {
      String vmId = created.get(i)[0];
      var vms = sim.client().genericKubernetesResources(VM).inNamespace(sim.namespace());
      GenericKubernetesResource vm = vms.withName(created.get(i)[1]).get();
      @SuppressWarnings("unchecked")
      Map<String, Object> status =
          (Map<String, Object>)
              vm.getAdditionalProperties().computeIfAbsent("status", k -> new HashMap<>());
      status.put("printableStatus", "Running");
      long s = System.nanoTime();
      vms.resource(vm).updateStatus();
      long until = s + TimeUnit.SECONDS.toNanos(10);
      while (!firstOnAt.containsKey(vmId) && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      Long at = firstOnAt.get(vmId);
      if (at == null) {
        throw new IllegalStateException(vmId + " shown Running was not observed within 10 s");
      }
      if (i >= warmUp) {
        latency.add((at - s) / 1e6);
      }
    }
    Collections.sort(latency);
    System.out.printf(
        "provider change -> vm.observed (%d changes after %d warm-up, %d VMs watched):"
            + " min %.1f ms, median %.1f ms, p99 %.1f ms, max %.1f ms%n",
        latency.size(),
        warmUp,
        created.size(),
        latency.get(0),
        latency.get(latency.size() / 2),
        latency.get((int) Math.ceil(latency.size() * 0.99) - 1),
        latency.get(latency.size() - 1));
  }

  private static WatcherRelisted next(LinkedBlockingQueue<WatcherRelisted> q)
      throws InterruptedException {
    WatcherRelisted r = q.poll(2, TimeUnit.MINUTES);
    if (r == null) {
      throw new IllegalStateException("no relist within 2 minutes");
    }
    return r;
  }

  private static void check(WatcherRelisted r, int vms) {
    if (r.count() != vms) {
      throw new IllegalStateException("relisted " + r.count() + " VMs, expected " + vms);
    }
  }

  /** Waits until the loop opened a watch after its {@code since}-th (and the request is out). */
  private static void awaitWatching(WatchLoop loop, long since) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (loop.stats().watches() <= since) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("the loop did not watch again within 30 s");
      }
      Thread.sleep(5);
    }
    // the watch request reaches the server; and a 410 within a second of the last is paced as a
    // storm by the loop, which is not what a round measures
    Thread.sleep(1100);
  }

  /** Creates a Halted VirtualMachine; its vmId and name. */
  private static String[] create(KubeVirtSimulator sim, int i) {
    String vmId = UUID.randomUUID().toString();
    String name = "bench-" + i + "-" + vmId.substring(0, 8);
    GenericKubernetesResource vm =
        Serialization.unmarshal(
            "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\""
                + name
                + "\",\"labels\":{\"virtsaga.dev/vm-id\":\""
                + vmId
                + "\"}},\"spec\":{\"runStrategy\":\"Halted\",\"template\":{\"metadata\":{\"labels\":"
                + "{\"virtsaga.dev/vm-id\":\""
                + vmId
                + "\"}},\"spec\":{\"domain\":{\"cpu\":{\"cores\":1},\"memory\":{\"guest\":\"64Mi\"},"
                + "\"devices\":{}}}}}}",
            GenericKubernetesResource.class);
    sim.client().genericKubernetesResources(VM).inNamespace(sim.namespace()).resource(vm).create();
    return new String[] {vmId, name};
  }
}
