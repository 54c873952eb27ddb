package dev.virtsaga.providers.spi.testing;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.conformance.ProviderConformanceTest;

/** The reference implementation passes the kit (and so the kit is known to be passable). */
class InMemoryProviderConformanceTest extends ProviderConformanceTest {
  private final InMemoryProvider memory = new InMemoryProvider();

  @Override
  protected Provider provider() {
    return memory;
  }

  @Override
  protected void createUnmanagedVm(String name) {
    memory.addUnmanaged(name);
  }

  @Override
  protected void deleteUnmanagedVm(String name) {
    // in-memory: dropped with the provider
  }
}
