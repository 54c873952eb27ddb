package dev.virtsaga.providers.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.testing.InMemoryProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The capability plumbing and the validation of the capability records. */
class CapabilityTypesTest {

  private static void assertInvalid(Runnable check, String why) {
    assertThatThrownBy(check::run)
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC))
        .hasMessageContaining(why);
  }

  @Test
  void everyCapabilityInterfaceBelongsToOneCapability() {
    assertThat(Capability.RECONFIGURE.api()).isEqualTo(Reconfigurable.class);
    assertThat(Capability.WATCH.api()).isEqualTo(WatchSource.class);
    assertThat(Capability.REBOOT.api()).isNull();
    assertThat(List.of(Capability.values()).stream().map(Capability::api).filter(a -> a != null))
        .doesNotHaveDuplicates()
        .hasSize(7);
  }

  @Test
  void aProviderWithoutTheCapabilityIsNotSupported() {
    // Given
    Provider memory = new InMemoryProvider();

    // When / Then
    assertThatThrownBy(() -> Capability.of(memory, Snapshots.class))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_SUPPORTED))
        .hasMessageContaining("SNAPSHOTS");
    assertThatThrownBy(() -> Capability.of(memory, Runnable.class))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void reconfigureRequestsMustChangeSomethingPossible() {
    ReconfigureRequest.cpus(2).requireValid();
    ReconfigureRequest.disk("data-1", 5).requireValid();
    assertInvalid(
        () -> new ReconfigureRequest(null, null, null).requireValid(), "change something");
    assertInvalid(() -> ReconfigureRequest.cpus(0).requireValid(), "cpus");
    assertInvalid(() -> ReconfigureRequest.memoryMiB(0).requireValid(), "memoryMiB");
    assertInvalid(() -> ReconfigureRequest.disk("../x", 1).requireValid(), "disk ids");
    assertInvalid(() -> ReconfigureRequest.disk("d", 0).requireValid(), "at least 1 GiB");
    assertInvalid(
        () ->
            new ReconfigureRequest(
                    null,
                    null,
                    List.of(
                        new ReconfigureRequest.DiskChange("d", 1),
                        new ReconfigureRequest.DiskChange("d", 2)))
                .requireValid(),
        "named twice");
  }

  @Test
  void importsNeedASafeNameAndAChecksum() {
    new DiskImportRequest("base-1.2", "file:///x", DiskFormat.RAW, "A".repeat(64)).requireValid();
    assertInvalid(
        () ->
            new DiskImportRequest("a/b", "file:///x", DiskFormat.RAW, "a".repeat(64))
                .requireValid(),
        "disk names");
    assertInvalid(
        () -> new DiskImportRequest("a", "file:///x", DiskFormat.RAW, null).requireValid(),
        "expectedSha256");
    assertInvalid(
        () -> new DiskImportRequest("a", "file:///x", DiskFormat.RAW, "xyz").requireValid(),
        "expectedSha256");
  }

  @Test
  void theImportOfAVmsRootDiskIsNamedAfterTheVm() {
    String vmId = "0b6f3c1e-8d2a-4e57-9c1f-2a7b5d9e4f10";
    String name = DiskImportRequest.nameForVm(vmId);

    assertThat(name).isEqualTo("vm-" + vmId);
    new DiskImportRequest(name, "file:///x", DiskFormat.QCOW2, "a".repeat(64)).requireValid();
  }

  @Test
  void snapshotNamesAndClonesAreChecked() {
    Snapshots.requireValidName("before-upgrade_1.0");
    assertInvalid(() -> Snapshots.requireValidName(".hidden"), "snapshot names");
    assertInvalid(() -> Snapshots.requireValidName("a b"), "snapshot names");
    assertInvalid(
        () -> new CloneRequest("vm", null, null, "vm", "op", "n", null).requireValid(), "itself");
  }

  @Test
  void diskFormatsAreKnownByTheirToolNames() {
    assertThat(DiskFormat.of("QCOW2")).isEqualTo(DiskFormat.QCOW2);
    assertThat(DiskFormat.VMDK.id()).isEqualTo("vmdk");
    assertInvalid(() -> DiskFormat.of("vhdx"), "unknown disk format");
  }

  @Test
  void watchEventsCarryAVmAndVersionUnlessGone() {
    assertThat(WatchEvent.gone().type()).isEqualTo(WatchEvent.Type.GONE);
    assertThatThrownBy(() -> new WatchEvent(WatchEvent.Type.ADDED, null, PowerState.ON, "1", null))
        .isInstanceOf(NullPointerException.class);
  }
}
