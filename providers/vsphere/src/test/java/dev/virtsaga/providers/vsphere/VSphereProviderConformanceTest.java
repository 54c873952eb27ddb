package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI's core conformance kit against vcsim. */
class VSphereProviderConformanceTest extends ProviderConformanceTest {
  private static SimulatedVSphere vsphere;

  @BeforeAll
  static void start() {
    vsphere = new SimulatedVSphere();
  }

  @AfterAll
  static void stop() {
    if (vsphere != null) {
      vsphere.close();
    }
  }

  @Override
  protected Provider provider() {
    return vsphere.provider();
  }

  /** A clone of the template that carries no vmId tag. */
  @Override
  protected void createUnmanagedVm(String name) {
    vsphere.createUnmanagedVm(name);
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    vsphere.deleteUnmanagedVm(name);
  }
}
