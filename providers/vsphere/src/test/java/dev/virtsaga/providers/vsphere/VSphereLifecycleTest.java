package dev.virtsaga.providers.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.VmDescription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** vSphere specifics beyond the kit: guest IPs, what a revert restores, migration targets. */
class VSphereLifecycleTest {
  private static final Duration WAIT = SimulatedVSphere.WAIT;
  private static SimulatedVSphere vsphere;
  private static VSphereProvider provider;
  private String vmId;

  @BeforeAll
  static void start() {
    vsphere = new SimulatedVSphere();
    provider = vsphere.provider();
  }

  @AfterAll
  static void stop() {
    if (vsphere != null) {
      vsphere.close();
    }
  }

  @AfterEach
  void deleteVm() {
    if (vmId != null) {
      provider.delete(vmId, null).await().atMost(WAIT);
    }
  }

  private String newVm(String name) {
    vmId = UUID.randomUUID().toString();
    provider
        .create(new CreateRequest(vmId, "op-" + vmId, name, 1, 128, 0, null, Map.of()))
        .await()
        .atMost(WAIT);
    return vmId;
  }

  private VmDescription describe() {
    return provider.describe(vmId, null).await().atMost(WAIT);
  }

  @Test
  void aRunningVmReportsItsGuestIpAndAStoppedOneNone() {
    // Given
    newVm("ip");
    assertThat(describe().ips()).isEmpty();

    // When
    provider.power(vmId, null, PowerOp.ON).await().atMost(WAIT);

    // Then: the guest's address, as VMware Tools report it
    await().atMost(WAIT).until(() -> !describe().ips().isEmpty());
    assertThat(describe().ips()).singleElement().asString().startsWith("10.80.");

    provider.power(vmId, null, PowerOp.OFF).await().atMost(WAIT);
    await().atMost(WAIT).until(() -> describe().ips().isEmpty());
  }

  @Test
  void aRevertBringsBackTheSizesAndPowerStateOfTheSnapshot() {
    // Given a snapshot of the stopped 1-CPU VM, then 2 CPUs, 256 MiB and running
    newVm("revert");
    SnapshotInfo s1 = provider.createSnapshot(vmId, null, "s1", "small").await().atMost(WAIT);
    provider
        .reconfigure(vmId, null, new ReconfigureRequest(2, 256L, List.of()))
        .await()
        .atMost(WAIT);
    provider.power(vmId, null, PowerOp.ON).await().atMost(WAIT);

    // When
    provider.revertSnapshot(vmId, null, s1.snapshotId()).await().atMost(WAIT);

    // Then
    ObjectContent props = vsphere.vmProperties(describe().providerRef());
    assertThat(props.number("config.hardware.numCPU")).contains(1L);
    assertThat(props.number("config.hardware.memoryMB")).contains(128L);
    assertThat(describe().power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void aCreateOnANamedHostPlacesTheCloneThere() {
    // Given
    vmId = UUID.randomUUID().toString();

    // When
    provider
        .create(
            new CreateRequest(vmId, "op-" + vmId, "placed", 1, 128, 0, null, Map.of())
                .onHost("DC0_C0_H2"))
        .await()
        .atMost(WAIT);

    // Then
    assertThat(describe().raw()).containsEntry("host", "DC0_C0_H2");
  }

  @Test
  void aMigrationNamesItsHostAndAnUnknownHostIsAnInvalidSpec() {
    // Given
    newVm("migrate");

    // When
    String task = provider.migrate(vmId, null, "DC0_C0_H1").await().atMost(WAIT);

    // Then
    await()
        .atMost(WAIT)
        .until(() -> provider.migrationStatus(task).await().atMost(WAIT).isComplete());
    assertThat(describe().raw()).containsEntry("host", "DC0_C0_H1");
    assertThatThrownBy(() -> provider.migrate(vmId, null, "no-such-host").await().atMost(WAIT))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC));
    assertThat(describe().raw()).containsEntry("host", "DC0_C0_H1");
  }
}
