package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.spi.VmList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The relist a watcher does after a 410 Gone: {@link KubeVirtProvider#listWithVersion()} of N
 * managed VMs on devstack's KubeVirt simulator (fabric8's mock API over loopback HTTP), mapped to
 * the SPI. Not a test: run by {@code bin/bench-relist [N] [rounds]}; results go to
 * docs/benchmarks.md.
 */
public final class RelistBenchmark {
  private RelistBenchmark() {}

  public static void main(String[] args) throws Exception {
    int vms = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    // a slow controller: the VMs stay Halted, the benchmark measures the API and the mapping
    try (KubeVirtSimulator sim =
            KubeVirtSimulator.builder().stepDelay(Duration.ofSeconds(1)).build().start();
        ExecutorCloser pool = new ExecutorCloser(Executors.newFixedThreadPool(8))) {
      long t0 = System.nanoTime();
      List<Future<?>> made = new ArrayList<>();
      for (int i = 0; i < vms; i++) {
        String vmId = UUID.randomUUID().toString();
        String name = "bench-" + i + "-" + vmId.substring(0, 8);
        made.add(pool.executor.submit(() -> create(sim, name, vmId)));
      }
      for (Future<?> f : made) {
        f.get();
      }
      System.out.printf(
          "created %d VirtualMachines in %.1f s%n", vms, (System.nanoTime() - t0) / 1e9);

      try (KubeVirtProvider provider =
          new KubeVirtProvider(
              KubeVirtSettings.of(sim.masterUrl(), sim.namespace())
                  .withTimeouts(
                      new ProviderTimeouts(
                          Duration.ofMinutes(1),
                          Duration.ofMinutes(1),
                          Duration.ofMillis(100),
                          Duration.ofSeconds(60))),
              pool.executor)) {
        List<Double> millis = new ArrayList<>();
        for (int round = -3; round < rounds; round++) { // 3 warm-up rounds
          long start = System.nanoTime();
          VmList list = provider.listWithVersion().await().atMost(Duration.ofMinutes(2));
          double ms = (System.nanoTime() - start) / 1e6;
          if (list.items().size() != vms) {
            throw new IllegalStateException(
                "listed " + list.items().size() + " VMs, expected " + vms);
          }
          if (round >= 0) {
            millis.add(ms);
          }
        }
        Collections.sort(millis);
        System.out.printf(
            "relist of %d VMs (listWithVersion, %d rounds after 3 warm-up): min %.0f ms, median"
                + " %.0f ms, max %.0f ms%n",
            vms,
            rounds,
            millis.get(0),
            millis.get(millis.size() / 2),
            millis.get(millis.size() - 1));
      }
    }
  }

  private static void create(KubeVirtSimulator sim, String name, String vmId) {
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
    sim.client()
        .genericKubernetesResources(KubeVirtApi.VM)
        .inNamespace(sim.namespace())
        .resource(vm)
        .create();
  }

  private record ExecutorCloser(ExecutorService executor) implements AutoCloseable {
    @Override
    public void close() {
      executor.shutdownNow();
    }
  }
}
