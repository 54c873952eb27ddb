package dev.virtsaga.devstack.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

/** The simulator itself: ports, its kubeconfig, stopping. */
class KubeVirtSimulatorTest {

  @Test
  void aTakenPortLeavesTheSimulatorUnstartedAndUsable() {
    try (KubeVirtSimulator first = new KubeVirtSimulator().start()) {
      KubeVirtSimulator second = new KubeVirtSimulator();
      assertThatThrownBy(() -> second.start(first.port()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(String.valueOf(first.port()));
      try (KubeVirtSimulator started = second.start()) {
        assertThat(started.port()).isNotEqualTo(first.port());
      }
    }
  }

  @Test
  void itsKubeconfigWorksForAnyClient() {
    try (KubeVirtSimulator sim = new KubeVirtSimulator().start();
        KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(sim.kubeconfig()))
                .build()) {
      assertThat(client.getMasterUrl().toString()).startsWith(sim.masterUrl());
      assertThat(client.getNamespace()).isEqualTo("default");
      assertThat(client.nodes().list().getItems()).hasSize(3);
    }
  }

  @Test
  void closingStopsServing() {
    KubeVirtSimulator sim = new KubeVirtSimulator().start();
    SimHttp http = new SimHttp(sim);
    assertThat(http.get("/version").code()).isEqualTo(200);
    sim.close();
    assertThatThrownBy(() -> http.get("/version")).isInstanceOf(IllegalStateException.class);
    sim.close(); // twice is fine
  }
}
