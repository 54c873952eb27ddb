package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.Snapshots;
import dev.virtsaga.providers.spi.VmDescription;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@link Capability#CLONE}: from a VM and from a snapshot, idempotent by target vmId. */
public abstract class CloneConformanceTest extends CapabilityConformanceTest {

  @Override
  protected final Capability capability() {
    return Capability.CLONE;
  }

  private Cloning cloning() {
    return as(Cloning.class);
  }

  private CloneRequest cloneOf(String sourceVmId, String snapshotId, String targetVmId) {
    return new CloneRequest(
        sourceVmId, null, snapshotId, targetVmId, "op-" + targetVmId, "conf-clone", Map.of());
  }

  @Test
  void aCloneIsAStoppedVmTaggedWithTheTargetVmId() {
    // Given
    String source = newVm("conf-clone-src");
    String target = newVmId();

    // When
    CreateResult result = call(cloning().cloneVm(cloneOf(source, null, target)));

    // Then
    assertThat(result.created()).isTrue();
    VmDescription clone = describe(target);
    assertThat(clone.exists()).isTrue();
    assertThat(clone.vmId()).isEqualTo(target);
    assertThat(clone.providerRef()).isEqualTo(result.providerRef());
    assertThat(clone.providerRef()).isNotEqualTo(describe(source).providerRef());
    assertThat(clone.power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void cloneIsIdempotentByTargetVmId() {
    // Given
    String source = newVm("conf-clone-twice");
    String target = newVmId();
    CreateResult first = call(cloning().cloneVm(cloneOf(source, null, target)));

    // When
    CreateResult again = call(cloning().cloneVm(cloneOf(source, null, target)));

    // Then
    assertThat(again.created()).isFalse();
    assertThat(again.providerRef()).isEqualTo(first.providerRef());
  }

  @Test
  void theCloneOutlivesItsSourceAndRuns() {
    // Given
    String source = newVm("conf-clone-indep");
    String target = newVmId();
    call(cloning().cloneVm(cloneOf(source, null, target)));

    // When
    call(provider.delete(source, null));

    // Then
    assertThat(describe(source).exists()).isFalse();
    call(provider.power(target, null, PowerOp.ON));
    assertThat(describe(target).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void aCloneFromASnapshotIsMade() {
    Assumptions.assumeTrue(
        Capability.SNAPSHOTS.isDeclaredBy(provider),
        "cloning from a snapshot needs capability SNAPSHOTS");
    // Given
    String source = newVm("conf-clone-snap");
    SnapshotInfo s1 = call(as(Snapshots.class).createSnapshot(source, null, "s1", null));
    String target = newVmId();

    // When
    CreateResult result = call(cloning().cloneVm(cloneOf(source, s1.snapshotId(), target)));

    // Then
    assertThat(result.created()).isTrue();
    assertThat(describe(target).exists()).isTrue();
    assertThat(call(as(Snapshots.class).listSnapshots(target, null))).isEmpty();
  }

  @Test
  void unknownSourcesAndSnapshotsAreNotFoundAndCreateNothing() {
    // Given
    String source = newVm("conf-clone-missing");
    String target = newVmId();

    // When / Then
    assertThat(errorOf(cloning().cloneVm(cloneOf(UUID.randomUUID().toString(), null, target))))
        .isEqualTo(ErrorType.NOT_FOUND);
    if (Capability.SNAPSHOTS.isDeclaredBy(provider)) {
      assertThat(errorOf(cloning().cloneVm(cloneOf(source, "no-such-snapshot", target))))
          .isEqualTo(ErrorType.NOT_FOUND);
    }
    assertThat(describe(target).exists()).isFalse();
  }

  @Test
  void aVmCannotBeClonedOntoItself() {
    // Given
    String source = newVm("conf-clone-self");

    // When / Then
    assertThat(errorOf(cloning().cloneVm(cloneOf(source, null, source))))
        .isEqualTo(ErrorType.INVALID_SPEC);
  }
}
