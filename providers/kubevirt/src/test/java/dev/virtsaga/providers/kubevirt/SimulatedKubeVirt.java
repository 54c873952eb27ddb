package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * devstack's KubeVirt simulator (API server and controller, in this JVM), a {@link
 * KubeVirtProvider} on it, and the simulator's own client to look at the objects as an operator
 * would.
 */
final class SimulatedKubeVirt implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  private final KubeVirtSimulator sim;
  private final ExecutorService executor;
  private final KubeVirtProvider provider;

  SimulatedKubeVirt() {
    this(KubeVirtSimulator.builder().stepDelay(Duration.ofMillis(20)).build());
  }

  SimulatedKubeVirt(KubeVirtSimulator notStarted) {
    sim = notStarted.start();
    executor = Executors.newFixedThreadPool(8, r -> new Thread(r, "kubevirt-test"));
    provider =
        new KubeVirtProvider(
            KubeVirtSettings.of(sim.masterUrl(), sim.namespace())
                .withTimeouts(
                    new ProviderTimeouts(
                        Duration.ofSeconds(20),
                        Duration.ofSeconds(20),
                        Duration.ofMillis(25),
                        Duration.ofSeconds(10))),
            executor);
    provider.validate().await().atMost(WAIT);
  }

  KubeVirtProvider provider() {
    return provider;
  }

  KubeVirtSimulator sim() {
    return sim;
  }

  KubernetesClient client() {
    return sim.client();
  }

  /** The VM of that name, as the API has it, or null. */
  GenericKubernetesResource vm(String name) {
    return client()
        .genericKubernetesResources(KubeVirtApi.VM)
        .inNamespace(sim.namespace())
        .withName(name)
        .get();
  }

  /** A VirtualMachine nobody labelled with a vmId, as an operator would make it. */
  void createUnmanagedVm(String name) {
    GenericKubernetesResource vm =
        Serialization.unmarshal(
            "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\""
                + name
                + "\"},\"spec\":{\"runStrategy\":\"Halted\",\"template\":{\"spec\":{\"domain\":{\"cpu\":"
                + "{\"cores\":1},\"memory\":{\"guest\":\"64Mi\"},\"devices\":{}}}}}}",
            GenericKubernetesResource.class);
    client()
        .genericKubernetesResources(KubeVirtApi.VM)
        .inNamespace(sim.namespace())
        .resource(vm)
        .create();
  }

  void deleteUnmanagedVm(String name) {
    client()
        .genericKubernetesResources(KubeVirtApi.VM)
        .inNamespace(sim.namespace())
        .withName(name)
        .delete();
  }

  @Override
  public void close() {
    provider.close();
    executor.shutdownNow();
    sim.close();
  }
}
