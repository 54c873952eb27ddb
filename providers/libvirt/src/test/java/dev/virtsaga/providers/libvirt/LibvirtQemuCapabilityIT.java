package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.UrlPolicy;
import dev.virtsaga.providers.spi.conformance.CloneConformanceTest;
import dev.virtsaga.providers.spi.conformance.ConsoleConformanceTest;
import dev.virtsaga.providers.spi.conformance.DisksConformanceTest;
import dev.virtsaga.providers.spi.conformance.ReconfigureConformanceTest;
import dev.virtsaga.providers.spi.conformance.SnapshotConformanceTest;
import dev.virtsaga.providers.spi.conformance.SuspendResumeConformanceTest;
import dev.virtsaga.providers.spi.conformance.WatchConformanceTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The capability suites of the conformance kit against a real libvirtd + QEMU (TCG or KVM), with 1
 * GiB qcow2 root disks (empty, no guest OS) and 64 MiB guests. Runs with {@code -Pit} when {@code
 * qemu:///system} answers ({@code -Dvirtsaga.libvirt.it-uri=…} picks another URI). Exports and
 * imports go to a temporary directory, the only one the adapter's URL policy allows.
 */
class LibvirtQemuCapabilityIT {
  private static final String URI = System.getProperty("virtsaga.libvirt.it-uri", "qemu:///system");

  private static ExecutorService executor;
  private static LibvirtProvider libvirt;
  private static Connect probe;
  private static Path transfers;

  @BeforeAll
  static void connect() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    transfers = Files.createTempDirectory("virtsaga-it-transfers");
    libvirt =
        new LibvirtProvider(
            LibvirtSettings.of(URI).withUrlPolicy(UrlPolicy.files(transfers)), executor);
    try {
      libvirt.validate().await().atMost(Duration.ofSeconds(10));
      probe = new Connect(URI);
    } catch (RuntimeException | LibvirtException e) {
      Assumptions.abort("no libvirt daemon at " + URI + ": " + e.getMessage());
    }
  }

  @AfterAll
  static void disconnect() throws LibvirtException, IOException {
    if (libvirt != null) {
      libvirt.close();
    }
    executor.shutdownNow();
    if (probe != null) {
      probe.close();
    }
    try (Stream<Path> files = Files.walk(transfers)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Makes libvirtd close every connection of this JVM, as a daemon restart would. */
  static synchronized void disconnectThisProcess() {
    String pid = String.valueOf(ProcessHandle.current().pid());
    int dropped = 0;
    for (String line : virtAdmin("srv-clients-list", "libvirtd").split("\n")) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length >= 2 && cols[0].matches("\\d+") && "unix".equals(cols[1])) {
        String info = virtAdmin("client-info", "libvirtd", cols[0]);
        if (info.lines().anyMatch(l -> l.matches("unix_process_id\\s*:\\s*" + pid))) {
          virtAdmin("client-disconnect", "libvirtd", cols[0]);
          dropped++;
        }
      }
    }
    if (dropped == 0) {
      throw new IllegalStateException("libvirtd has no connection of this process " + pid);
    }
    // the adapter's main connection learns of the loss on its next call (UNAVAILABLE, then it
    // reconnects): spend that call here rather than in the test
    for (int i = 0; i < 3; i++) {
      try {
        libvirt.validate().await().atMost(Duration.ofSeconds(30));
        break;
      } catch (ProviderException e) {
        if (e.type() != ErrorType.UNAVAILABLE) {
          throw e;
        }
      }
    }
    try {
      probe.close();
    } catch (LibvirtException e) {
      // it was dropped with the others
    }
    try {
      probe = new Connect(URI);
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String virtAdmin(String... args) {
    try {
      Process p =
          new ProcessBuilder(Stream.concat(Stream.of("virt-admin"), Stream.of(args)).toList())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("virt-admin " + String.join(" ", args) + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ReconfigureConformanceTest.Sizes configuredSizes(String vmId) {
    try {
      Domain d = probe.domainLookupByUUIDString(DomainXml.uuidOf(vmId).toString());
      DomainXml.Sizes s = DomainXml.sizes(d.getXMLDesc(Domain.XMLFlags.INACTIVE));
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
    protected long diskGiB() {
      return 1;
    }

    @Override
    protected Sizes configuredSizes(String vmId) {
      return LibvirtQemuCapabilityIT.configuredSizes(vmId);
    }
  }

  @Nested
  class Snapshots extends SnapshotConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }

    @Override
    protected long diskGiB() {
      return 1;
    }
  }

  @Nested
  class Clone extends CloneConformanceTest {
    @Override
    protected Provider provider() {
      return libvirt;
    }

    @Override
    protected long diskGiB() {
      return 1;
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
      return transfers;
    }

    @Override
    protected void deleteImportedDisk(String name) {
      try {
        probe
            .storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL)
            .storageVolLookupByName(DomainXml.importVolumeName(name))
            .delete(0);
      } catch (LibvirtException e) {
        if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
          throw new IllegalStateException(e);
        }
      }
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

    /**
     * A real, server-side disconnect: libvirtd drops every connection of this JVM ({@code
     * virt-admin client-disconnect}), so the watcher learns of it from libvirt's close callback.
     * The adapter's main connection reconnects by itself; the probe is reopened.
     */
    @Override
    protected void breakWatchConnection() {
      disconnectThisProcess();
    }
  }
}
