package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The core contract every adapter must pass. An adapter's test extends this class and supplies a
 * provider connected to a real (or simulated) hypervisor; each test makes its own VMs with fresh
 * vmIds and deletes them afterwards.
 */
public abstract class ProviderConformanceTest {
  /** How long one call may take. */
  protected static final Duration CALL = Duration.ofSeconds(30);

  private final List<String> created = new ArrayList<>();
  protected Provider provider;

  /** The provider under test; called before each test. */
  protected abstract Provider provider();

  /** Creates a VM on the same hypervisor without the adapter's tag (an unmanaged VM). */
  protected abstract void createUnmanagedVm(String name);

  /** Removes an unmanaged VM made by {@link #createUnmanagedVm}. */
  protected abstract void deleteUnmanagedVm(String name);

  /**
   * Whether the guests of this hypervisor act on a graceful shutdown request. A VM without an
   * operating system (an empty disk under real QEMU) ignores ACPI: the request is then only checked
   * to be delivered and to leave the VM running.
   */
  protected boolean guestsHonourGracefulShutdown() {
    return true;
  }

  @BeforeEach
  void openProvider() {
    provider = provider();
  }

  @AfterEach
  void deleteCreatedVms() {
    for (String vmId : created) {
      provider.delete(vmId, null).await().atMost(CALL);
    }
  }

  protected CreateRequest newRequest(String name) {
    String vmId = UUID.randomUUID().toString();
    created.add(vmId);
    return new CreateRequest(vmId, "op-" + vmId, name, 1, 64, 0, null, Map.of("suite", "conf"));
  }

  protected static <T> T call(Uni<T> uni) {
    return uni.await().atMost(CALL);
  }

  protected static ErrorType errorOf(Uni<?> uni) {
    Throwable thrown = null;
    try {
      uni.await().atMost(CALL);
    } catch (ProviderException e) {
      return e.type();
    } catch (RuntimeException e) {
      thrown = e;
    }
    throw new AssertionError("expected a ProviderException, got " + thrown, thrown);
  }

  private VmDescription describe(String vmId) {
    return call(provider.describe(vmId, null));
  }

  @Test
  void validateSucceedsOnAHealthyEndpoint() {
    // When / Then
    call(provider.validate());
  }

  @Test
  void createMakesAStoppedVmTaggedWithItsVmId() {
    // Given
    CreateRequest request = newRequest("conf-create");

    // When
    CreateResult result = call(provider.create(request));

    // Then
    assertThat(result.created()).isTrue();
    assertThat(result.providerRef()).isNotBlank();
    VmDescription d = call(provider.describe(request.vmId(), result.providerRef()));
    assertThat(d.exists()).isTrue();
    assertThat(d.vmId()).isEqualTo(request.vmId());
    assertThat(d.providerRef()).isEqualTo(result.providerRef());
    assertThat(d.power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void createIsIdempotentByVmId() {
    // Given
    CreateRequest request = newRequest("conf-twice");
    CreateResult first = call(provider.create(request));

    // When
    CreateResult second = call(provider.create(request));

    // Then
    assertThat(second.created()).isFalse();
    assertThat(second.providerRef()).isEqualTo(first.providerRef());
    assertThat(listAll().stream().filter(d -> d.vmId().equals(request.vmId()))).hasSize(1);
  }

  @Test
  void twoVmsWithTheSameNameAreTwoVms() {
    // Given
    CreateRequest a = newRequest("conf-same-name");
    CreateRequest b = newRequest("conf-same-name");

    // When
    CreateResult ra = call(provider.create(a));
    CreateResult rb = call(provider.create(b));

    // Then
    assertThat(ra.providerRef()).isNotEqualTo(rb.providerRef());
    assertThat(describe(a.vmId()).exists()).isTrue();
    assertThat(describe(b.vmId()).exists()).isTrue();
  }

  @Test
  void createRejectsAnImpossibleSpec() {
    // Given
    CreateRequest valid = newRequest("conf-invalid");
    CreateRequest noCpu =
        new CreateRequest(valid.vmId(), valid.operationId(), valid.name(), 0, 64, 0, null, null);

    // When / Then
    assertThat(errorOf(provider.create(noCpu))).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(describe(valid.vmId()).exists()).isFalse();
  }

  @Test
  void deleteRemovesTheVmAndIsIdempotent() {
    // Given
    CreateRequest request = newRequest("conf-delete");
    CreateResult result = call(provider.create(request));
    call(provider.power(request.vmId(), result.providerRef(), PowerOp.ON));

    // When
    call(provider.delete(request.vmId(), result.providerRef()));
    call(provider.delete(request.vmId(), result.providerRef()));

    // Then
    VmDescription d = describe(request.vmId());
    assertThat(d.exists()).isFalse();
    assertThat(d.power()).isEqualTo(PowerState.NOT_FOUND);
  }

  @Test
  void deleteOfAVmThatNeverExistedSucceeds() {
    // When / Then
    call(provider.delete(UUID.randomUUID().toString(), null));
  }

  @Test
  void powerOnAndOffMoveTheVmAndAreIdempotent() {
    // Given
    CreateRequest request = newRequest("conf-power");
    call(provider.create(request));

    // When / Then
    call(provider.power(request.vmId(), null, PowerOp.ON));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.ON);
    call(provider.power(request.vmId(), null, PowerOp.ON));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.ON);

    call(provider.power(request.vmId(), null, PowerOp.OFF));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.OFF);
    call(provider.power(request.vmId(), null, PowerOp.OFF));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void gracefulShutdownEndsWithTheVmOff() {
    Assumptions.assumeTrue(provider.capabilities().contains(Capability.GRACEFUL_SHUTDOWN));
    // Given
    CreateRequest request = newRequest("conf-shutdown");
    call(provider.create(request));
    call(provider.power(request.vmId(), null, PowerOp.ON));

    // When
    call(provider.power(request.vmId(), null, PowerOp.SHUTDOWN_GRACEFUL));

    // Then
    if (!guestsHonourGracefulShutdown()) {
      assertThat(describe(request.vmId()).power()).isIn(PowerState.ON, PowerState.OFF);
      return;
    }
    await()
        .atMost(CALL)
        .untilAsserted(
            () -> assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.OFF));
    call(provider.power(request.vmId(), null, PowerOp.SHUTDOWN_GRACEFUL));
  }

  @Test
  void rebootKeepsARunningVmRunning() {
    Assumptions.assumeTrue(provider.capabilities().contains(Capability.REBOOT));
    // Given
    CreateRequest request = newRequest("conf-reboot");
    call(provider.create(request));
    call(provider.power(request.vmId(), null, PowerOp.ON));

    // When
    call(provider.power(request.vmId(), null, PowerOp.REBOOT));

    // Then
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void rebootOfAStoppedVmIsAConflict() {
    Assumptions.assumeTrue(provider.capabilities().contains(Capability.REBOOT));
    // Given
    CreateRequest request = newRequest("conf-reboot-off");
    call(provider.create(request));

    // When / Then
    assertThat(errorOf(provider.power(request.vmId(), null, PowerOp.REBOOT)))
        .isEqualTo(ErrorType.CONFLICT);
  }

  @Test
  void suspendAndResumeWhenSupported() {
    // Given
    CreateRequest request = newRequest("conf-suspend");
    call(provider.create(request));
    call(provider.power(request.vmId(), null, PowerOp.ON));

    if (!provider.capabilities().contains(Capability.SUSPEND_RESUME)) {
      // Then: an explicit refusal, never a silent no-op
      assertThat(errorOf(provider.power(request.vmId(), null, PowerOp.SUSPEND)))
          .isEqualTo(ErrorType.NOT_SUPPORTED);
      return;
    }
    // When / Then
    call(provider.power(request.vmId(), null, PowerOp.SUSPEND));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.PAUSED);
    call(provider.power(request.vmId(), null, PowerOp.RESUME));
    assertThat(describe(request.vmId()).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void powerOnAnUnknownVmIsNotFound() {
    // When / Then
    assertThat(errorOf(provider.power(UUID.randomUUID().toString(), null, PowerOp.ON)))
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  @Test
  void describeOfAnUnknownVmSaysItIsAbsent() {
    // Given
    String vmId = UUID.randomUUID().toString();

    // When
    VmDescription d = describe(vmId);

    // Then
    assertThat(d).isEqualTo(VmDescription.absent(vmId));
  }

  @Test
  void listPagesThroughManagedVmsOnly() {
    // Given
    Set<String> ours = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      CreateRequest r = newRequest("conf-list-" + i);
      call(provider.create(r));
      ours.add(r.vmId());
    }
    String unmanaged = "unmanaged-" + UUID.randomUUID().toString().substring(0, 8);
    createUnmanagedVm(unmanaged);
    try {
      // When
      List<VmDescription> all = new ArrayList<>();
      String token = null;
      int pages = 0;
      do {
        Page<VmDescription> page = call(provider.list(token, 2));
        assertThat(page.items()).hasSizeLessThanOrEqualTo(2);
        all.addAll(page.items());
        token = page.nextPageToken();
        pages++;
      } while (token != null && pages < 10_000);

      // Then
      assertThat(all).extracting(VmDescription::vmId).containsAll(ours).doesNotHaveDuplicates();
      assertThat(all).extracting(VmDescription::vmId).doesNotContain(unmanaged);
      assertThat(all).allSatisfy(d -> assertThat(d.exists()).isTrue());
      assertThat(pages).isGreaterThanOrEqualTo(2);
    } finally {
      deleteUnmanagedVm(unmanaged);
    }
  }

  @Test
  void taskStatusOfAnUnknownTaskIsNotFound() {
    // When / Then
    assertThat(errorOf(provider.taskStatus("no-such-task-" + UUID.randomUUID())))
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  private List<VmDescription> listAll() {
    List<VmDescription> all = new ArrayList<>();
    String token = null;
    do {
      Page<VmDescription> page = call(provider.list(token, 100));
      all.addAll(page.items());
      token = page.nextPageToken();
    } while (token != null);
    return all;
  }
}
