package dev.virtsaga.devstack.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a client detects: the served groups, versions and resources, CRDs, nodes. */
class KubeVirtDiscoveryTest {

  static KubeVirtSimulator sim;
  static KubeVirtSimulator withoutClone;
  static KubernetesClient client;
  static KubernetesClient partial;

  @BeforeAll
  static void start() {
    sim = new KubeVirtSimulator().start();
    withoutClone = KubeVirtSimulator.builder().withoutGroup(KubeVirtResource.CLONE).build().start();
    client = sim.newClient();
    partial = withoutClone.newClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    partial.close();
    sim.close();
    withoutClone.close();
  }

  private static List<String> groups(KubernetesClient c) {
    return c.getApiGroups().getGroups().stream().map(APIGroup::getName).toList();
  }

  @Test
  void theServedGroupsAreListedWithTheirVersions() {
    assertThat(groups(client))
        .contains(
            "kubevirt.io",
            "snapshot.kubevirt.io",
            "clone.kubevirt.io",
            "instancetype.kubevirt.io",
            "subresources.kubevirt.io",
            "apiextensions.k8s.io");
    APIGroup snapshot = client.getApiGroup("snapshot.kubevirt.io");
    assertThat(snapshot.getPreferredVersion().getGroupVersion())
        .isEqualTo("snapshot.kubevirt.io/v1beta1");
    assertThat(client.getApiGroup("kubevirt.io").getPreferredVersion().getVersion())
        .isEqualTo("v1");
  }

  @Test
  void eachGroupVersionListsExactlyItsResources() {
    APIResourceList core = client.getApiResources("kubevirt.io/v1");
    assertThat(core.getResources().stream().map(APIResource::getName))
        .containsExactlyInAnyOrder(
            "virtualmachines",
            "virtualmachines/status",
            "virtualmachineinstances",
            "virtualmachineinstancemigrations",
            "virtualmachineinstancemigrations/status");
    APIResource vm =
        core.getResources().stream()
            .filter(r -> r.getName().equals("virtualmachines"))
            .findFirst()
            .orElseThrow();
    assertThat(vm.getKind()).isEqualTo("VirtualMachine");
    assertThat(vm.getNamespaced()).isTrue();
    assertThat(vm.getShortNames()).contains("vm");
    assertThat(vm.getVerbs()).contains("create", "watch", "patch");

    APIResourceList instancetypes = client.getApiResources("instancetype.kubevirt.io/v1beta1");
    assertThat(instancetypes.getResources())
        .filteredOn(r -> r.getName().equals("virtualmachineclusterinstancetypes"))
        .singleElement()
        .satisfies(r -> assertThat(r.getNamespaced()).isFalse());
    assertThat(
            client.getApiResources("snapshot.kubevirt.io/v1beta1").getResources().stream()
                .map(APIResource::getName))
        .contains(
            "virtualmachinesnapshots", "virtualmachinesnapshotcontents", "virtualmachinerestores");
    assertThat(
            client.getApiResources("subresources.kubevirt.io/v1").getResources().stream()
                .map(APIResource::getName))
        .contains(
            "virtualmachines/start",
            "virtualmachineinstances/pause",
            "virtualmachineinstances/vnc");
    // versions KubeVirt no longer serves are not there
    assertThat(client.getApiResources("kubevirt.io/v1alpha3")).isNull();
  }

  @Test
  void crdsNodesAndTheNamespaceExist() {
    assertThat(client.apiextensions().v1().customResourceDefinitions().list().getItems())
        .extracting(CustomResourceDefinition::getMetadata)
        .extracting(m -> m.getName())
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(KubeVirtResource.values()).map(KubeVirtResource::crdName).toList());
    assertThat(client.nodes().list().getItems())
        .extracting(n -> n.getMetadata().getName())
        .containsExactly("node-a", "node-b", "node-c");
    assertThat(client.namespaces().withName("default").get()).isNotNull();
    assertThat(
            new SimHttp(sim)
                .get("/apis/subresources.kubevirt.io/v1/version")
                .json()
                .path("gitVersion")
                .asText())
        .isEqualTo("v1.4.0");
    assertThat(client.getKubernetesVersion().getMajor()).isEqualTo("1");
  }

  @Test
  void discoveryDrivesGenericClients() {
    // fabric8 finds the plural and scope of a kind through discovery
    List<GenericKubernetesResource> vms =
        client
            .genericKubernetesResources("kubevirt.io/v1", "VirtualMachine")
            .inNamespace("default")
            .list()
            .getItems();
    assertThat(vms).isEmpty();
  }

  @Test
  void aGroupThatIsNotServedIsAbsentEverywhere() {
    assertThat(groups(partial)).doesNotContain("clone.kubevirt.io").contains("kubevirt.io");
    assertThat(partial.getApiResources("clone.kubevirt.io/v1beta1")).isNull();
    assertThat(
            partial
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("virtualmachineclones.clone.kubevirt.io")
                .get())
        .isNull();
    SimHttp.Response r =
        new SimHttp(withoutClone)
            .get("/apis/clone.kubevirt.io/v1beta1/namespaces/default/virtualmachineclones");
    assertThat(r.code()).isEqualTo(404);
    assertThat(r.json().path("reason").asText()).isEqualTo("NotFound");
    assertThat(withoutClone.servedGroups()).doesNotContain(KubeVirtResource.CLONE);
  }
}
