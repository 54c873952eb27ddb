package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The kit's SUSPEND_RESUME suite against vcsim ({@code SuspendVM_Task}, {@code PowerOnVM_Task}).
 */
class VSphereSuspendResumeConformanceTest extends SuspendResumeConformanceTest {
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
}
