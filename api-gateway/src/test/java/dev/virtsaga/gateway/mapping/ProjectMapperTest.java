package dev.virtsaga.gateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.gateway.mapping.ProjectMapper.PlannedVm;
import dev.virtsaga.gateway.rest.ProjectRequest;
import dev.virtsaga.gateway.rest.ProjectRequest.Instance;
import dev.virtsaga.gateway.rest.ProjectRequest.Network;
import dev.virtsaga.gateway.rest.ProjectRequest.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectMapperTest {
  static final Resources SMALL = new Resources(1024L, 25L, 1);

  static Instance instance(String name, String provider, Integer count) {
    return new Instance(
        name, provider, count, null, null, null, SMALL, null, null, null, null, null);
  }

  @Test
  void eachInstanceFansOutIntoItsVmsInRequestOrder() {
    // Given
    ProjectRequest request =
        new ProjectRequest(
            "p",
            List.of(
                instance("web", "virtfusion", 3),
                instance("db", "libvirt", null),
                instance("cache", "libvirt", 1)));

    // When
    List<PlannedVm> plan = ProjectMapper.plan("t1", ProjectMapper.normalize(request));

    // Then
    assertThat(plan)
        .extracting(PlannedVm::vmName)
        .containsExactly("web-1", "web-2", "web-3", "db", "cache");
    assertThat(plan).extracting(PlannedVm::position).containsExactly(0, 1, 2, 3, 4);
    assertThat(plan).extracting(PlannedVm::instance).startsWith("web", "web", "web", "db");
    assertThat(plan).allMatch(vm -> vm.command().type() == CommandType.CREATE);
    assertThat(plan).allMatch(vm -> vm.command().vmId() == null);
    assertThat(plan.stream().map(vm -> vm.command().fingerprint()).distinct()).hasSize(5);
  }

  @Test
  void virtFusionSettingsBecomeLabels() {
    // Given
    Instance web =
        new Instance(
            "web",
            "virtfusion",
            1,
            false,
            4,
            null,
            SMALL,
            "debian-12",
            "ops",
            null,
            new Network(2, 500, false, List.of(7, 3)),
            List.of());

    // When
    VmSpec spec = ProjectMapper.spec("t1", "p", web, "web");

    // Then
    assertThat(spec.image()).isEqualTo("debian-12");
    assertThat(spec.host()).isNull();
    assertThat(spec.labels())
        .containsEntry(ProjectLabels.TENANT, "t1")
        .containsEntry(ProjectLabels.PROJECT, "p")
        .containsEntry(ProjectLabels.SSH_KEY_NAME, "ops")
        .doesNotContainKey(ProjectLabels.SSH_PUBLIC_KEY)
        .containsEntry(ProjectLabels.HYPERVISOR_GROUP, "4")
        .containsEntry(ProjectLabels.NETWORK_PROFILE, "2")
        .containsEntry(ProjectLabels.BANDWIDTH_MBPS, "500")
        .containsEntry(ProjectLabels.PUBLIC_IP, "false")
        .containsEntry(ProjectLabels.FIREWALL_RULESETS, "7,3");
  }

  @Test
  void aNumericHypervisorGroupIsItsIdAndLibvirtTakesTheGroupAsItsHost() {
    Instance byId =
        new Instance(
            "a",
            "virtfusion",
            1,
            null,
            null,
            IntNode.valueOf(9),
            SMALL,
            null,
            null,
            null,
            null,
            null);
    Instance onHost =
        new Instance(
            "b",
            "libvirt",
            1,
            null,
            null,
            TextNode.valueOf("kvm-2"),
            SMALL,
            null,
            null,
            null,
            null,
            null);

    assertThat(ProjectMapper.spec("t", "p", byId, "a").labels())
        .containsEntry(ProjectLabels.HYPERVISOR_GROUP, "9");
    VmSpec libvirt = ProjectMapper.spec("t", "p", onHost, "b");
    assertThat(libvirt.host()).isEqualTo("kvm-2");
    assertThat(libvirt.labels()).containsOnlyKeys(ProjectLabels.TENANT, ProjectLabels.PROJECT);
  }

  @Test
  void defaultsWrittenOutOrLeftOutGiveTheSameFingerprint() {
    ProjectRequest terse = new ProjectRequest("p", List.of(instance("a", "virtfusion", null)));
    ProjectRequest verbose =
        new ProjectRequest(
            "p",
            List.of(
                new Instance(
                    "a",
                    "virtfusion",
                    1,
                    false,
                    null,
                    null,
                    SMALL,
                    null,
                    null,
                    null,
                    new Network(null, null, null, List.of()),
                    List.of())));
    ProjectRequest other = new ProjectRequest("p", List.of(instance("a", "virtfusion", 2)));

    String fingerprint = ProjectMapper.fingerprint(ProjectMapper.normalize(terse));
    assertThat(ProjectMapper.fingerprint(ProjectMapper.normalize(verbose))).isEqualTo(fingerprint);
    assertThat(ProjectMapper.fingerprint(ProjectMapper.normalize(other))).isNotEqualTo(fingerprint);
    assertThat(ProjectMapper.canonicalJson(ProjectMapper.normalize(terse)))
        .contains("\"project_name\":\"p\"")
        .contains("\"number_of_instances\":1");
  }

  @Test
  void theIdempotencyKeyOfAVmDependsOnTenantProjectAndVm() {
    assertThat(ProjectMapper.idempotencyKey("t", "p", "web-1")).isEqualTo("project:t:p:web-1");
  }
}
