package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.DiskInfo;
import dev.virtsaga.providers.spi.Disks;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Reconfigurable;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.ReconfigureResult;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@link Capability#RECONFIGURE}: CPUs and memory always; disks only where the adapter declares
 * {@link Capability#DISK_RESIZE}, and otherwise an explicit NOT_SUPPORTED.
 */
public abstract class ReconfigureConformanceTest extends CapabilityConformanceTest {
  private static final long GIB = 1L << 30;

  /** CPUs and memory as the hypervisor has them in the VM's definition. */
  public record Sizes(int cpus, long memoryMiB) {}

  /** Reads the VM's configured sizes behind the adapter's back. */
  protected abstract Sizes configuredSizes(String vmId);

  @Override
  protected final Capability capability() {
    return Capability.RECONFIGURE;
  }

  /** 1.5× the kit's memory. */
  private long larger() {
    return memoryMiB() + memoryMiB() / 2;
  }

  private Reconfigurable reconfigurable() {
    return as(Reconfigurable.class);
  }

  @Test
  void cpusAndMemoryOfAStoppedVmChangeAndTheSameRequestAgainChangesNothing() {
    // Given
    String vmId = newVm("conf-reconf");
    ReconfigureRequest bigger = new ReconfigureRequest(2, 2 * memoryMiB(), List.of());

    // When
    ReconfigureResult first = call(reconfigurable().reconfigure(vmId, null, bigger));
    ReconfigureResult again = call(reconfigurable().reconfigure(vmId, null, bigger));

    // Then
    assertThat(first.changed()).isTrue();
    assertThat(first.restartRequired()).isFalse();
    assertThat(again.changed()).isFalse();
    assertThat(configuredSizes(vmId)).isEqualTo(new Sizes(2, 2 * memoryMiB()));
    assertThat(describe(vmId).power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void onlyTheFieldsGivenChange() {
    // Given
    String vmId = newVm("conf-reconf-mem");

    // When
    call(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.memoryMiB(larger())));

    // Then
    assertThat(configuredSizes(vmId)).isEqualTo(new Sizes(1, larger()));
  }

  @Test
  void aRunningVmKeepsRunningAndHasTheNewSizesAfterARestart() {
    // Given
    String vmId = newVm("conf-reconf-live");
    call(provider.power(vmId, null, PowerOp.ON));

    // When
    ReconfigureResult result =
        call(
            reconfigurable()
                .reconfigure(vmId, null, new ReconfigureRequest(2, larger(), List.of())));

    // Then
    assertThat(result.changed()).isTrue();
    assertThat(describe(vmId).power()).isEqualTo(PowerState.ON);
    call(provider.power(vmId, null, PowerOp.OFF));
    call(provider.power(vmId, null, PowerOp.ON));
    assertThat(configuredSizes(vmId)).isEqualTo(new Sizes(2, larger()));
  }

  @Test
  void impossibleSizesAreInvalidAndChangeNothing() {
    // Given
    String vmId = newVm("conf-reconf-invalid");

    // When / Then
    assertThat(errorOf(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.cpus(0))))
        .isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(
            errorOf(
                reconfigurable().reconfigure(vmId, null, new ReconfigureRequest(null, null, null))))
        .isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(configuredSizes(vmId)).isEqualTo(new Sizes(1, memoryMiB()));
  }

  @Test
  void reconfiguringAnUnknownVmIsNotFound() {
    assertThat(
            errorOf(
                reconfigurable()
                    .reconfigure(UUID.randomUUID().toString(), null, ReconfigureRequest.cpus(2))))
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  @Test
  void disksAreAddedAndGrownWhereTheAdapterManagesDisksElseExplicitlyNotSupported() {
    // Given
    String vmId = newVm("conf-reconf-disk");

    if (!Capability.DISK_RESIZE.isDeclaredBy(provider)) {
      // Then: an explicit refusal, never a silent no-op
      assertThat(
              errorOf(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.disk("data", 1))))
          .isEqualTo(ErrorType.NOT_SUPPORTED);
      return;
    }
    // When: added, added again, grown
    ReconfigureResult added =
        call(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.disk("data", 1)));
    ReconfigureResult addedAgain =
        call(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.disk("data", 1)));
    ReconfigureResult grown =
        call(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.disk("data", 2)));

    // Then
    assertThat(added.changed()).isTrue();
    assertThat(addedAgain.changed()).isFalse();
    assertThat(grown.changed()).isTrue();
    assertThat(
            errorOf(reconfigurable().reconfigure(vmId, null, ReconfigureRequest.disk("data", 1))))
        .isEqualTo(ErrorType.NOT_SUPPORTED);
    if (Capability.DISK_EXPORT_IMPORT.isDeclaredBy(provider)) {
      List<DiskInfo> disks = call(as(Disks.class).disks(vmId, null));
      assertThat(disks)
          .filteredOn(d -> d.diskId().equals("data"))
          .singleElement()
          .satisfies(d -> assertThat(d.virtualSizeBytes()).isEqualTo(2 * GIB));
    }
  }
}
