package dev.virtsaga.worker.kubevirt;

import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.Map;

/**
 * Starts devstack's KubeVirt simulator (a Kubernetes API with a simulated virt-controller, nodes
 * {@code node-a..c}) in the test JVM and points {@code virtsaga.kubevirt.*} at it.
 */
public class KubeVirtSimulatorResource implements QuarkusTestResourceLifecycleManager {
  static volatile KubeVirtSimulator sim;

  @Override
  public Map<String, String> start() {
    sim = KubeVirtSimulator.builder().stepDelay(Duration.ofMillis(20)).build().start();
    return Map.of(
        "virtsaga.kubevirt.master-url", sim.masterUrl(),
        "virtsaga.kubevirt.namespace", sim.namespace(),
        // plain HTTP on 127.0.0.1
        "virtsaga.kubevirt.insecure-loopback", "true",
        "virtsaga.kubevirt.hosts", String.join(",", sim.nodes()));
  }

  @Override
  public void stop() {
    if (sim != null) {
      sim.close();
    }
  }
}
