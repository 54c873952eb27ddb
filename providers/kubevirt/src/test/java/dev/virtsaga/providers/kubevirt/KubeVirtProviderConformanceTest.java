package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI's core conformance kit against the KubeVirt simulator. */
class KubeVirtProviderConformanceTest extends ProviderConformanceTest {
  private static SimulatedKubeVirt kubevirt;

  @BeforeAll
  static void start() {
    kubevirt = new SimulatedKubeVirt();
  }

  @AfterAll
  static void stop() {
    if (kubevirt != null) {
      kubevirt.close();
    }
  }

  @Override
  protected Provider provider() {
    return kubevirt.provider();
  }

  /** A VirtualMachine without the vmId label. */
  @Override
  protected void createUnmanagedVm(String name) {
    kubevirt.createUnmanagedVm(name);
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    kubevirt.deleteUnmanagedVm(name);
  }
}
