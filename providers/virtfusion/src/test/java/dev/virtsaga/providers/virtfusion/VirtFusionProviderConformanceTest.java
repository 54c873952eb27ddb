package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The SPI conformance kit against the in-process VirtFusion simulator. */
class VirtFusionProviderConformanceTest extends ProviderConformanceTest {
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

  @Override
  protected Provider provider() {
    return adapter;
  }

  /** VirtFusion refuses servers of less than 128 MB; the kit asks for 64 MiB. */
  @Override
  protected CreateRequest newRequest(String name) {
    return SimulatedVirtFusion.withVirtFusionMemory(super.newRequest(name));
  }

  /** An allocated server of the same user whose name carries no tag. */
  @Override
  protected void createUnmanagedVm(String name) {
    virtfusion.allocate(name);
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    virtfusion.serverNamed(name).map(SimServer::id).ifPresent(virtfusion::deleteServer);
  }
}
