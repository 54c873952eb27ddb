package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.CloneConformanceTest;
import dev.virtsaga.providers.spi.conformance.ConsoleConformanceTest;
import dev.virtsaga.providers.spi.conformance.DisksConformanceTest;
import dev.virtsaga.providers.spi.conformance.MigrationConformanceTest;
import dev.virtsaga.providers.spi.conformance.ReconfigureConformanceTest;
import dev.virtsaga.providers.spi.conformance.SnapshotConformanceTest;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import dev.virtsaga.providers.spi.conformance.WatchConformanceTest;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The kit's capability suites against the KubeVirt simulator; disks run and are skipped by the kit
 * (DISK_EXPORT_IMPORT is not declared).
 */
class KubeVirtCapabilityConformanceTest {
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

  @Nested
  class SuspendResume extends SuspendResumeConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }
  }

  @Nested
  class Reconfigure extends ReconfigureConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }

    /** The VM's template: {@code domain.cpu.cores} and {@code domain.memory.guest} (Mi). */
    @Override
    protected Sizes configuredSizes(String vmId) {
      GenericKubernetesResource vm = kubevirt.vm(describe(vmId).providerRef());
      Map<String, Object> tree = Tree.of(vm);
      String memory =
          Tree.text(tree, "spec", "template", "spec", "domain", "memory", "guest").orElseThrow();
      return new Sizes(
          Tree.number(tree, "spec", "template", "spec", "domain", "cpu", "cores")
              .orElseThrow()
              .intValue(),
          Long.parseLong(memory.replace("Mi", "")));
    }
  }

  @Nested
  class Snapshots extends SnapshotConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }
  }

  @Nested
  class Clone extends CloneConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }
  }

  /** To another node: one API sees the VM wherever it runs. */
  @Nested
  class Migrate extends MigrationConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }

    @Override
    protected String targetHost() {
      return "node-c";
    }

    @Override
    protected Provider targetProvider() {
      return kubevirt.provider();
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
      return kubevirt.provider();
    }
  }

  @Nested
  class Disks extends DisksConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }

    @Override
    protected Path allowedDirectory() {
      return Path.of("/var/lib/virtsaga/transfer");
    }

    @Override
    protected void deleteImportedDisk(String name) {
      // never reached: DISK_EXPORT_IMPORT is not declared
    }
  }

  /** The API ends the watches with 410 Gone (the version expired), as after a compaction. */
  @Nested
  class Watch extends WatchConformanceTest {
    @Override
    protected Provider provider() {
      return kubevirt.provider();
    }

    @Override
    protected void breakWatchConnection() {
      kubevirt.sim().faults().expireWatches(2);
    }
  }
}
