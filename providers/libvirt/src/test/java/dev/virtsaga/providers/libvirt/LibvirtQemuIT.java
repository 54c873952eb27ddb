package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The conformance kit and the disk handling against a real libvirtd + QEMU (TCG). Runs with {@code
 * -Pit} when {@code qemu:///system} answers (Debian {@code libvirt-daemon-system qemu-system-x86
 * qemu-utils}, then {@code virtlogd -d && libvirtd -d}); the URI can be changed with {@code
 * -Dvirtsaga.libvirt.it-uri=…}.
 */
class LibvirtQemuIT extends ProviderConformanceTest {
  private static final String URI = System.getProperty("virtsaga.libvirt.it-uri", "qemu:///system");
  private static final Duration WAIT = Duration.ofMinutes(2);

  private static ExecutorService executor;
  private static LibvirtProvider libvirt;
  private static Connect probe;

  @BeforeAll
  static void connect() {
    executor = Executors.newFixedThreadPool(4);
    libvirt = new LibvirtProvider(URI, executor);
    try {
      libvirt.validate().await().atMost(Duration.ofSeconds(10));
      probe = new Connect(URI);
    } catch (RuntimeException | LibvirtException e) {
      Assumptions.abort("no libvirt daemon at " + URI + ": " + e.getMessage());
    }
  }

  @AfterAll
  static void disconnect() throws LibvirtException {
    libvirt.close();
    executor.shutdownNow();
    if (probe != null) {
      probe.close();
    }
  }

  @Override
  protected Provider provider() {
    return libvirt;
  }

  @Override
  protected boolean guestsHonourGracefulShutdown() {
    return false; // an empty disk boots no OS, so nothing answers ACPI
  }

  @Override
  protected void createUnmanagedVm(String name) {
    try {
      probe.domainDefineXML(
          "<domain type='qemu'><name>"
              + name
              + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
              + "<os><type>hvm</type></os></domain>");
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    try {
      probe.domainLookupByName(name).undefine();
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRootDiskIsAQcow2VolumeThatDeleteRemoves() throws LibvirtException {
    // Given
    String vmId = "it-" + UUID.randomUUID();
    CreateRequest request = new CreateRequest(vmId, "op-it", "it-disk", 1, 128, 1, null, Map.of());

    // When
    String ref = libvirt.create(request).await().atMost(WAIT).providerRef();
    libvirt.power(vmId, ref, PowerOp.ON).await().atMost(WAIT);

    // Then
    StoragePool pool = probe.storagePoolLookupByName(LibvirtSettings.DEFAULT_POOL);
    assertThat(pool.listVolumes()).contains(DomainXml.volumeName(vmId));
    VmDescription running = libvirt.describe(vmId, ref).await().atMost(WAIT);
    assertThat(running.power()).isEqualTo(PowerState.ON);
    assertThat(running.consoleUrl()).startsWith("vnc://");

    // When
    libvirt.delete(vmId, ref).await().atMost(WAIT);

    // Then
    pool.refresh(0);
    assertThat(pool.listVolumes()).doesNotContain(DomainXml.volumeName(vmId));
    assertThat(libvirt.describe(vmId, ref).await().atMost(WAIT).exists()).isFalse();
  }
}
