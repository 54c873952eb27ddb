package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.Snapshots;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link Capability#SNAPSHOTS}: create (idempotent by name), list, delete, revert. */
public abstract class SnapshotConformanceTest extends CapabilityConformanceTest {

  @Override
  protected final Capability capability() {
    return Capability.SNAPSHOTS;
  }

  private Snapshots snapshots() {
    return as(Snapshots.class);
  }

  @Test
  void createIsIdempotentByName() {
    // Given
    String vmId = newVm("conf-snap");

    // When
    SnapshotInfo first = call(snapshots().createSnapshot(vmId, null, "s1", "before upgrade"));
    SnapshotInfo again = call(snapshots().createSnapshot(vmId, null, "s1", "another text"));

    // Then
    assertThat(first.name()).isEqualTo("s1");
    assertThat(first.description()).isEqualTo("before upgrade");
    assertThat(again.snapshotId()).isEqualTo(first.snapshotId());
    assertThat(again.description()).isEqualTo("before upgrade");
    assertThat(call(snapshots().listSnapshots(vmId, null)))
        .extracting(SnapshotInfo::name)
        .containsExactly("s1");
  }

  @Test
  void listShowsTheSnapshotsOldestFirstWithTheirParents() {
    // Given
    String vmId = newVm("conf-snap-list");
    SnapshotInfo s1 = call(snapshots().createSnapshot(vmId, null, "s1", null));
    call(snapshots().createSnapshot(vmId, null, "s2", null));

    // When
    List<SnapshotInfo> list = call(snapshots().listSnapshots(vmId, null));

    // Then
    assertThat(list).extracting(SnapshotInfo::name).containsExactly("s1", "s2");
    assertThat(list.get(1).parentId()).isEqualTo(s1.snapshotId());
    assertThat(list).allSatisfy(s -> assertThat(s.power()).isEqualTo(PowerState.OFF));
  }

  @Test
  void deleteRemovesTheSnapshotAndIsIdempotent() {
    // Given
    String vmId = newVm("conf-snap-delete");
    SnapshotInfo s1 = call(snapshots().createSnapshot(vmId, null, "s1", null));
    call(snapshots().createSnapshot(vmId, null, "s2", null));

    // When
    call(snapshots().deleteSnapshot(vmId, null, s1.snapshotId()));
    call(snapshots().deleteSnapshot(vmId, null, s1.snapshotId()));

    // Then
    assertThat(call(snapshots().listSnapshots(vmId, null)))
        .extracting(SnapshotInfo::name)
        .containsExactly("s2");
    call(snapshots().deleteSnapshot(UUID.randomUUID().toString(), null, "s1"));
  }

  @Test
  void revertBringsARunningVmBackToItsStoppedSnapshot() {
    // Given: a snapshot of the stopped VM, which then runs
    String vmId = newVm("conf-snap-revert");
    SnapshotInfo s1 = call(snapshots().createSnapshot(vmId, null, "s1", null));
    call(provider.power(vmId, null, PowerOp.ON));

    // When
    call(snapshots().revertSnapshot(vmId, null, s1.snapshotId()));

    // Then
    assertThat(describe(vmId).power()).isEqualTo(PowerState.OFF);
    call(snapshots().revertSnapshot(vmId, null, s1.snapshotId()));
    assertThat(describe(vmId).power()).isEqualTo(PowerState.OFF);
    assertThat(call(snapshots().listSnapshots(vmId, null)))
        .extracting(SnapshotInfo::name)
        .containsExactly("s1");
  }

  @Test
  void aSnapshotOfARunningVmRevertsToARunningVm() {
    // Given
    String vmId = newVm("conf-snap-live");
    call(provider.power(vmId, null, PowerOp.ON));
    SnapshotInfo live = call(snapshots().createSnapshot(vmId, null, "live", null));
    call(provider.power(vmId, null, PowerOp.OFF));

    // When
    call(snapshots().revertSnapshot(vmId, null, live.snapshotId()));

    // Then
    assertThat(live.power()).isEqualTo(PowerState.ON);
    assertThat(describe(vmId).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void revertToAnUnknownSnapshotIsNotFound() {
    // Given
    String vmId = newVm("conf-snap-unknown");

    // When / Then
    assertThat(errorOf(snapshots().revertSnapshot(vmId, null, "no-such-snapshot")))
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  @Test
  void badNamesAndUnknownVmsAreRefused() {
    // Given
    String vmId = newVm("conf-snap-bad");

    // When / Then
    assertThat(errorOf(snapshots().createSnapshot(vmId, null, "no spaces/or slashes", null)))
        .isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(errorOf(snapshots().createSnapshot(UUID.randomUUID().toString(), null, "s1", null)))
        .isEqualTo(ErrorType.NOT_FOUND);
    assertThat(errorOf(snapshots().listSnapshots(UUID.randomUUID().toString(), null)))
        .isEqualTo(ErrorType.NOT_FOUND);
    assertThat(call(snapshots().listSnapshots(vmId, null))).isEmpty();
  }
}
