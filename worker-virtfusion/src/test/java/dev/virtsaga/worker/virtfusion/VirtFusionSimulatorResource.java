package dev.virtsaga.worker.virtfusion;

import dev.virtsaga.devstack.virtfusion.VirtFusionSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Starts devstack's VirtFusion simulator in the test JVM, with one user (external relation id
 * {@value #TENANT}), and points {@code virtsaga.virtfusion.*} at it.
 */
public class VirtFusionSimulatorResource implements QuarkusTestResourceLifecycleManager {
  static final String TENANT = "4242";

  private VirtFusionSimulator sim;

  @Override
  public Map<String, String> start() {
    String token = "worker-test-" + UUID.randomUUID();
    sim = new VirtFusionSimulator(token);
    String baseUrl = sim.start();
    sim.buildDuration(Duration.ofMillis(300)).powerDuration(Duration.ofMillis(50));
    sim.addUser(Long.parseLong(TENANT));
    return Map.of(
        "virtsaga.virtfusion.base-url",
        baseUrl,
        "virtsaga.virtfusion.token",
        token,
        "virtsaga.virtfusion.defaults.tenant",
        TENANT,
        "virtsaga.virtfusion.defaults.package-id",
        "1",
        "virtsaga.virtfusion.defaults.hypervisor-group",
        "Prague",
        "virtsaga.virtfusion.defaults.template",
        "ubuntu-22.04");
  }

  @Override
  public void stop() {
    if (sim != null) {
      sim.close();
    }
  }
}
