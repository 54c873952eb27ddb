package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.CloneConformanceTest;
import dev.virtsaga.providers.spi.conformance.ConsoleConformanceTest;
import dev.virtsaga.providers.spi.conformance.DisksConformanceTest;
import dev.virtsaga.providers.spi.conformance.ReconfigureConformanceTest;
import dev.virtsaga.providers.spi.conformance.SnapshotConformanceTest;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import dev.virtsaga.providers.spi.conformance.WatchConformanceTest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The capability suites of the conformance kit against libvirt's test driver, in process. Suites of
 * capabilities the test driver lacks (disks, console) run and are skipped by the kit.
 */
class LibvirtCapabilityConformanceTest {
  private static TestDriver driver;
  private static ExecutorService executor;
  private static LibvirtProvider libvirt;

  @BeforeAll
  static void connect() throws LibvirtException {
    driver = new TestDriver();
    executor = Executors.newFixedThreadPool(4);
    libvirt = new LibvirtProvider(TestDriver.URI, executor);
  }

  @AfterAll
  static void disconnect() throws LibvirtException {
    libvirt.close();
    executor.shutdownNow();
    driver.close();
  }

  static ReconfigureConformanceTest.Sizes configuredSizes(TestDriver driver, String vmId) {
    try {
      List<Domain> tagged = driver.domainsTaggedWith(vmId);
      DomainXml.Sizes s = DomainXml.sizes(tagged.get(0).getXMLDesc(Domain.XMLFlags.INACTIVE));
      return new ReconfigureConformanceTest.Sizes(s.cpus(), s.memoryMiB());
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class SuspendResume extends SuspendResumeConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }
  }

  @Nested
  class Reconfigure extends ReconfigureConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }

    @Override
    protected Sizes configuredSizes(String vmId) {
      return LibvirtCapabilityConformanceTest.configuredSizes(driver, vmId);
    }
  }

  @Nested
  class Snapshots extends SnapshotConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }
  }

  @Nested
  class Clone extends CloneConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }
  }

  @Nested
  class Disks extends DisksConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }

    @Override
    protected Path allowedDirectory() {
      return Path.of(LibvirtSettings.DEFAULT_TRANSFER_DIR);
    }

    @Override
    protected void deleteImportedDisk(String name) {
      // never reached: the test driver does not declare DISK_EXPORT_IMPORT
    }
  }

  @Nested
  class Console extends ConsoleConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }
  }

  @Nested
  class Watch extends WatchConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }

    @Override
    protected void breakWatchConnection() {
      libvirt.watcher().connectionLost("the test broke it");
    }
  }
}
