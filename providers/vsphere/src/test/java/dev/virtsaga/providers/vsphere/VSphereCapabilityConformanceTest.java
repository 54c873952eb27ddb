package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.CloneConformanceTest;
import dev.virtsaga.providers.spi.conformance.ConsoleConformanceTest;
import dev.virtsaga.providers.spi.conformance.MigrationConformanceTest;
import dev.virtsaga.providers.spi.conformance.ReconfigureConformanceTest;
import dev.virtsaga.providers.spi.conformance.SnapshotConformanceTest;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import dev.virtsaga.providers.spi.conformance.WatchConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The kit's capability suites against vcsim. Console runs and is skipped by the kit (vcsim issues
 * no console tickets, so the adapter does not declare CONSOLE); disk export/import is not declared
 * either.
 */
class VSphereCapabilityConformanceTest {
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

  @Nested
  class SuspendResume extends SuspendResumeConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }
  }

  @Nested
  class Reconfigure extends ReconfigureConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }

    @Override
    protected Sizes configuredSizes(String vmId) {
      ObjectContent props = vsphere.vmProperties(describe(vmId).providerRef());
      return new Sizes(
          props.number("config.hardware.numCPU").orElseThrow().intValue(),
          props.number("config.hardware.memoryMB").orElseThrow());
    }
  }

  @Nested
  class Snapshots extends SnapshotConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }
  }

  @Nested
  class Clone extends CloneConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }
  }

  /** Between two hosts of cluster DC0_C0: one vCenter sees the VM on either. */
  @Nested
  class Migrate extends MigrationConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }

    @Override
    protected String targetHost() {
      return "DC0_C0_H2";
    }

    @Override
    protected Provider targetProvider() {
      return vsphere.provider();
    }

    @Override
    protected String hostOf(String vmId) {
      return describe(vmId).raw().get("host");
    }
  }

  @Nested
  class Console extends ConsoleConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }
  }

  /** A lost session: an administrator terminates the adapter's session, as a restart would. */
  @Nested
  class Watch extends WatchConformanceTest {
    @Override
    protected Provider provider() {
      return vsphere.provider();
    }

    @Override
    protected void breakWatchConnection() {
      vsphere.terminateProviderSession();
    }
  }
}
