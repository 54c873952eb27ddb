package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.CloneConformanceTest;
import dev.virtsaga.providers.spi.conformance.ConsoleConformanceTest;
import dev.virtsaga.providers.spi.conformance.DisksConformanceTest;
import dev.virtsaga.providers.spi.conformance.MigrationConformanceTest;
import dev.virtsaga.providers.spi.conformance.ReconfigureConformanceTest;
import dev.virtsaga.providers.spi.conformance.SnapshotConformanceTest;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import dev.virtsaga.providers.spi.conformance.WatchConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The capability suites of the conformance kit against the in-process VirtFusion simulator (with
 * VirtFusion's 128 MB memory minimum). The suites of capabilities VirtFusion lacks (snapshots,
 * clone, migration, disk export/import, console) run and are skipped by the kit; reconfigure runs
 * whole, disk changes included (NOT_SUPPORTED: VirtFusion does not declare DISK_RESIZE).
 */
class VirtFusionCapabilityConformanceTest {
  private static SimulatedVirtFusion virtfusion;
  private static VirtFusionProvider adapter;

  @BeforeAll
  static void start() {
    virtfusion = new SimulatedVirtFusion();
    adapter = virtfusion.provider();
  }

  @AfterAll
  static void stop() {
    adapter.close();
    virtfusion.close();
  }

  @Nested
  class Reconfigure extends ReconfigureConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }

    @Override
    protected long memoryMiB() {
      return SimulatedVirtFusion.MIN_MEMORY_MB;
    }

    @Override
    protected Sizes configuredSizes(String vmId) {
      SimServer s = virtfusion.serversOf(vmId).get(0);
      return new Sizes(s.cpuCores(), s.memoryMb());
    }
  }

  @Nested
  class SuspendResume extends SuspendResumeConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }

    @Override
    protected CreateRequest newRequest(String name) {
      return SimulatedVirtFusion.withVirtFusionMemory(super.newRequest(name));
    }
  }

  @Nested
  class Watch extends WatchConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }

    @Override
    protected CreateRequest newRequest(String name) {
      return SimulatedVirtFusion.withVirtFusionMemory(super.newRequest(name));
    }

    /** A polling source has no connection: ending its epoch is what a lost one would do. */
    @Override
    protected void breakWatchConnection() {
      adapter.watcher().connectionLost("the test broke it");
    }
  }

  @Nested
  class Snapshots extends SnapshotConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }
  }

  @Nested
  class Clone extends CloneConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }
  }

  @Nested
  class Migration extends MigrationConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }

    @Override
    protected String targetHost() {
      return "none";
    }

    @Override
    protected Provider targetProvider() {
      return adapter;
    }
  }

  @Nested
  class Disks extends DisksConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }

    @Override
    protected Path allowedDirectory() {
      return Path.of("/nonexistent");
    }

    @Override
    protected void deleteImportedDisk(String name) {
      // never reached: VirtFusion does not declare DISK_EXPORT_IMPORT
    }
  }

  @Nested
  class Console extends ConsoleConformanceTest {
    @Override
    protected Provider provider() {
      return adapter;
    }
  }
}
