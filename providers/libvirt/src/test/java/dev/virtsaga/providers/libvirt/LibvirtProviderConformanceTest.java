package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.libvirt.LibvirtException;

/** The SPI conformance kit against libvirt's test driver, in process. */
class LibvirtProviderConformanceTest extends ProviderConformanceTest {
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

  @Override
  protected Provider provider() {
    return libvirt;
  }

  @Override
  protected void createUnmanagedVm(String name) {
    try {
      driver.defineUnmanaged(name, null);
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    try {
      driver.undefine(name);
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }
}
