package dev.virtsaga.providers.vsphere;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the conformance kit does not check: vSphere specifics of create, against vcsim. */
class VSphereProviderTest {
  private static SimulatedVSphere vsphere;
  private static VSphereProvider provider;

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

  private static CreateRequest request(String name, int cpus, long memoryMiB, String image) {
    String vmId = UUID.randomUUID().toString();
    return new CreateRequest(vmId, "op-" + vmId, name, cpus, memoryMiB, 0, image, Map.of());
  }

  @Test
  void aSecondCreateWithTheSameVmIdMakesNoSecondVm() {
    // Given a VM created once
    CreateRequest request = request("twice", 1, 64, null);
    CreateResult first = provider.create(request).await().atMost(SimulatedVSphere.WAIT);
    List<String> before = vsphere.allVmNames();

    // When the same create comes again
    CreateResult second = provider.create(request).await().atMost(SimulatedVSphere.WAIT);

    // Then it returns the same VM and vcsim holds no more VMs than before
    assertThat(second.created()).isFalse();
    assertThat(second.providerRef()).isEqualTo(first.providerRef());
    List<String> after = vsphere.allVmNames();
    assertThat(after).hasSameSizeAs(before);
    assertThat(after.stream().filter(n -> n.endsWith(request.vmId()))).hasSize(1);
    provider.delete(request.vmId(), null).await().atMost(SimulatedVSphere.WAIT);
  }

  @Test
  void createClonesTheTemplateWithTheRequestedSizeAndName() {
    // Given a request naming the template by its name, 2 vCPUs and 256 MiB
    CreateRequest request = request("sized", 2, 256, "template-small");

    // When
    CreateResult result = provider.create(request).await().atMost(SimulatedVSphere.WAIT);

    // Then the clone has the request's size and a name carrying the vmId
    VmDescription d =
        provider
            .describe(request.vmId(), result.providerRef())
            .await()
            .atMost(SimulatedVSphere.WAIT);
    assertThat(d.power()).isEqualTo(PowerState.OFF);
    assertThat(d.raw()).containsEntry("name", "sized-" + request.vmId());
    assertThat(vsphere.allVmNames()).contains("sized-" + request.vmId());
    ObjectContent props = vsphere.vmProperties(result.providerRef());
    assertThat(props.number("config.hardware.numCPU")).contains(2L);
    assertThat(props.number("config.hardware.memoryMB")).contains(256L);
    provider.delete(request.vmId(), null).await().atMost(SimulatedVSphere.WAIT);
  }

  @Test
  void anUnknownTemplateIsAnInvalidSpec() {
    // Given
    CreateRequest request = request("no-template", 1, 64, "/DC0/vm/no-such-template");

    // When / Then
    assertThatThrownBy(() -> provider.create(request).await().atMost(SimulatedVSphere.WAIT))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC));
    assertThat(
            provider.describe(request.vmId(), null).await().atMost(SimulatedVSphere.WAIT).exists())
        .isFalse();
    assertThat(vsphere.allVmNames()).noneMatch(n -> n.endsWith(request.vmId()));
  }

  @Test
  void aRequestedDiskSizeIsNotSupported() {
    // Given a request with a root disk size (DISKS is not declared)
    CreateRequest sized = request("disk", 1, 64, null);
    CreateRequest request =
        new CreateRequest(
            sized.vmId(), sized.operationId(), sized.name(), 1, 64, 20, null, Map.of());

    // When / Then
    assertThatThrownBy(() -> provider.create(request).await().atMost(SimulatedVSphere.WAIT))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.NOT_SUPPORTED));
  }
}
