package dev.virtsaga.providers.spi.conformance;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every capability suite shares: the provider, fresh VMs deleted after each test, and a skip
 * (with the capability's name) when the adapter does not declare the suite's capability.
 */
public abstract class CapabilityConformanceTest {
  private final List<String> created = new ArrayList<>();
  protected Provider provider;

  /** The provider under test; called before each test. */
  protected abstract Provider provider();

  /** The capability this suite checks. */
  protected abstract Capability capability();

  /** How long one call may take (real hypervisors may need more). */
  protected Duration callTimeout() {
    return Duration.ofSeconds(60);
  }

  /** Root disk size of the suite's VMs; real hypervisors need one for snapshots and disks. */
  protected long diskGiB() {
    return 0;
  }

  @BeforeEach
  void requireCapability() {
    provider = provider();
    Assumptions.assumeTrue(
        capability().isDeclaredBy(provider),
        () -> "provider " + provider.name() + " does not declare capability " + capability());
  }

  @AfterEach
  void deleteCreatedVms() {
    for (String vmId : created) {
      provider.delete(vmId, null).await().atMost(callTimeout());
    }
    created.clear();
  }

  /**
   * Memory of the kit's VMs in MiB; an adapter whose hypervisor has a higher minimum raises it (the
   * reconfigure suite grows VMs to 1.5× and 2× this).
   */
  protected long memoryMiB() {
    return 64;
  }

  /**
   * A request for a fresh VM (1 vCPU, {@link #memoryMiB()}, {@link #diskGiB()}), deleted after the
   * test.
   */
  protected CreateRequest newRequest(String name) {
    String vmId = UUID.randomUUID().toString();
    created.add(vmId);
    return new CreateRequest(
        vmId, "op-" + vmId, name, 1, memoryMiB(), diskGiB(), null, Map.of("suite", "conf"));
  }

  /** Creates a fresh VM and returns its vmId. */
  protected String newVm(String name) {
    CreateRequest request = newRequest(name);
    call(provider.create(request));
    return request.vmId();
  }

  /** A fresh vmId that is deleted after the test (for VMs made by clone etc.). */
  protected String newVmId() {
    String vmId = UUID.randomUUID().toString();
    created.add(vmId);
    return vmId;
  }

  /** The vmIds this test made (deleted from {@link #provider()} after it). */
  protected List<String> createdVmIds() {
    return List.copyOf(created);
  }

  protected <T> T call(Uni<T> uni) {
    return uni.await().atMost(callTimeout());
  }

  protected ErrorType errorOf(Uni<?> uni) {
    Throwable thrown = null;
    try {
      uni.await().atMost(callTimeout());
    } catch (ProviderException e) {
      return e.type();
    } catch (RuntimeException e) {
      thrown = e;
    }
    throw new AssertionError("expected a ProviderException, got " + thrown, thrown);
  }

  protected VmDescription describe(String vmId) {
    return call(provider.describe(vmId, null));
  }

  /** The provider through the suite's capability interface. */
  protected <T> T as(Class<T> api) {
    return Capability.of(provider, api);
  }
}
