package dev.virtsaga.providers.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The anti-corruption mapper: every KubeVirt state, and objects with fields missing. */
class KubeVirtMapperTest {

  private static GenericKubernetesResource json(String json) {
    return Serialization.unmarshal(json, GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource vm(String printableStatus) {
    return json(
        "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"web-1\","
            + "\"labels\":{\"virtsaga.dev/vm-id\":\"id-1\"}},\"spec\":{\"runStrategy\":\"Always\"},"
            + "\"status\":{\"printableStatus\":\""
            + printableStatus
            + "\"}}");
  }

  private static GenericKubernetesResource vmi(String phase) {
    return json(
        "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachineInstance\",\"metadata\":{\"name\":\"web-1\"},"
            + "\"status\":{\"phase\":\""
            + phase
            + "\",\"nodeName\":\"node-b\",\"interfaces\":[{\"name\":\"default\",\"ipAddress\":\"10.244.0.7\","
            + "\"ipAddresses\":[\"10.244.0.7\",\"fd00::7\"]},{\"name\":\"second\"}]}}");
  }

  @ParameterizedTest
  @CsvSource({
    "Running, ON",
    "Migrating, ON",
    "Paused, PAUSED",
    "Stopped, OFF",
    "Provisioning, UNKNOWN",
    "Starting, UNKNOWN",
    "WaitingForVolumeBinding, UNKNOWN",
    "WaitingForReceiver, UNKNOWN",
    "Stopping, UNKNOWN",
    "Terminating, UNKNOWN",
    "CrashLoopBackOff, CRASHED",
    "ErrorUnschedulable, CRASHED",
    "ErrImagePull, CRASHED",
    "ImagePullBackOff, CRASHED",
    "ErrorPvcNotFound, CRASHED",
    "DataVolumeError, CRASHED",
    "ErrorDataVolumeNotFound, CRASHED"
  })
  void everyPrintableStatusHasItsPowerState(String printableStatus, PowerState expected) {
    assertThat(KubeVirtMapper.power(vm(printableStatus), null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "Running, ON",
    "Failed, CRASHED",
    "Succeeded, OFF",
    "Pending, UNKNOWN",
    "Scheduling, UNKNOWN",
    "Scheduled, UNKNOWN",
    "Unknown, UNKNOWN"
  })
  void withoutAPrintableStatusTheVmiDecides(String phase, PowerState expected) {
    assertThat(KubeVirtMapper.power(vm("Unknown"), vmi(phase))).isEqualTo(expected);
    assertThat(KubeVirtMapper.power(json("{\"metadata\":{\"name\":\"x\"}}"), vmi(phase)))
        .isEqualTo(expected);
  }

  @Test
  void aPausedVmiIsPausedAndNoVmiIsOff() {
    GenericKubernetesResource paused =
        json(
            "{\"metadata\":{\"name\":\"x\"},\"status\":{\"phase\":\"Running\",\"conditions\":"
                + "[{\"type\":\"Paused\",\"status\":\"True\"}]}}");
    assertThat(KubeVirtMapper.vmiPower(paused)).isEqualTo(PowerState.PAUSED);
    assertThat(KubeVirtMapper.vmiPower(null)).isEqualTo(PowerState.OFF);
  }

  @Test
  void anErrorStateCarriesTheMessageOfItsFailingCondition() {
    GenericKubernetesResource vm =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"printableStatus\":\"ErrorUnschedulable\","
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"Failure\",\"status\":\"True\","
                + "\"reason\":\"FailedScheduling\",\"message\":\"0/3 nodes are available: insufficient memory\"}]}}");

    assertThat(KubeVirtMapper.error(vm))
        .contains(
            "ErrorUnschedulable: Failure FailedScheduling: 0/3 nodes are available: insufficient memory");
    assertThat(KubeVirtMapper.startFailure(vm).type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(KubeVirtMapper.startFailure(vm("ErrImagePull")).type())
        .isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(KubeVirtMapper.startFailure(vm("CrashLoopBackOff")).type())
        .isEqualTo(ErrorType.RETRYABLE);
    assertThat(KubeVirtMapper.error(vm("Running"))).isEmpty();
  }

  @Test
  void aFailedReconcileIsReportedAndAStoppedVmThatIsNotReadyIsNot() {
    GenericKubernetesResource stopped =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"printableStatus\":\"Stopped\","
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"VMINotExists\","
                + "\"message\":\"VMI does not exist\"}]}}");
    GenericKubernetesResource unsynced =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"printableStatus\":\"Stopped\","
                + "\"conditions\":[{\"type\":\"Synchronized\",\"status\":\"False\",\"reason\":\"FailedCreate\","
                + "\"message\":\"quota exceeded\"}]}}");

    assertThat(KubeVirtMapper.error(stopped)).isEmpty();
    assertThat(KubeVirtMapper.error(unsynced))
        .contains("Synchronized FailedCreate: quota exceeded");
  }

  @Test
  void ipsAndNodeComeFromTheVmiWithoutDuplicates() {
    VmDescription d = KubeVirtMapper.describe("id-1", vm("Running"), vmi("Running"));

    assertThat(d.exists()).isTrue();
    assertThat(d.providerRef()).isEqualTo("web-1");
    assertThat(d.power()).isEqualTo(PowerState.ON);
    assertThat(d.ips()).containsExactly("10.244.0.7", "fd00::7");
    assertThat(d.raw())
        .containsEntry("host", "node-b")
        .containsEntry("printableStatus", "Running")
        .containsEntry("runStrategy", "Always");
  }

  @Test
  void aStoppedVmPinnedToANodeNamesIt() {
    GenericKubernetesResource vm =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
                + "{\"kubernetes.io/hostname\":\"node-c\"}}}},\"status\":{\"printableStatus\":\"Stopped\"}}");
    assertThat(KubeVirtMapper.node(vm, null)).isEqualTo("node-c");
  }

  @Test
  void missingFieldsAndWrongTypesNeverThrow() {
    GenericKubernetesResource bare = new GenericKubernetesResource();
    GenericKubernetesResource odd =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"printableStatus\":7,\"conditions\":\"none\","
                + "\"interfaces\":[\"x\",null,{\"ipAddresses\":\"not-a-list\"}]}}");

    assertThat(KubeVirtMapper.power(bare, null)).isEqualTo(PowerState.OFF);
    assertThat(KubeVirtMapper.error(bare)).isEmpty();
    assertThat(KubeVirtMapper.ips(null)).isEmpty();
    assertThat(KubeVirtMapper.ips(odd)).isEmpty();
    assertThat(KubeVirtMapper.node(null, null)).isNull();
    assertThat(KubeVirtMapper.vmId(bare)).isNull();
    assertThat(KubeVirtMapper.describe("id-1", odd, null).power()).isEqualTo(PowerState.OFF);
    assertThat(KubeVirtMapper.describe("id-1", null, null).exists()).isFalse();
    assertThat(KubeVirtMapper.restartRequired(odd)).isFalse();
  }

  @Test
  void theRestartRequiredConditionIsReported() {
    GenericKubernetesResource vm =
        json(
            "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"printableStatus\":\"Running\","
                + "\"conditions\":[{\"type\":\"RestartRequired\",\"status\":\"True\"}]}}");
    assertThat(KubeVirtMapper.restartRequired(vm)).isTrue();
    assertThat(KubeVirtMapper.describe("id-1", vm, null).raw())
        .containsEntry("restartRequired", "true");
  }

  @Test
  void watchActionsBecomeWatchEvents() {
    GenericKubernetesResource vm = vm("Running");
    vm.getMetadata().setResourceVersion("42");

    WatchEvent added = KubeVirtProvider.watchEvent(Watcher.Action.ADDED, vm);
    WatchEvent deleted = KubeVirtProvider.watchEvent(Watcher.Action.DELETED, vm);
    GenericKubernetesResource mark = json("{\"metadata\":{\"resourceVersion\":\"57\"}}");
    WatchEvent bookmark = KubeVirtProvider.watchEvent(Watcher.Action.BOOKMARK, mark);

    assertThat(added.type()).isEqualTo(WatchEvent.Type.ADDED);
    assertThat(added.vmId()).isEqualTo("id-1");
    assertThat(added.power()).isEqualTo(PowerState.ON);
    assertThat(added.resourceVersion()).isEqualTo("42");
    assertThat(deleted.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(bookmark.type()).isEqualTo(WatchEvent.Type.BOOKMARK);
    assertThat(bookmark.resourceVersion()).isEqualTo("57");
    // an object without our label is not ours
    assertThat(
            KubeVirtProvider.watchEvent(
                Watcher.Action.MODIFIED,
                json("{\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"3\"}}")))
        .isNull();
  }

  @Test
  void namesAreDnsLabelsThatCarryTheVmId() {
    String id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    assertThat(KubeVirtProvider.vmName("Web_Server 1", id)).isEqualTo("web-server-1-" + id);
    assertThat(KubeVirtProvider.vmName("a".repeat(100), id)).hasSize(63).endsWith(id);
    assertThat(KubeVirtProvider.vmName("---", id)).isEqualTo("vm-" + id);
    assertThat(KubeVirtSnapshots.snapshotName("web-1", "Before_Upgrade.1"))
        .matches("web-1-before-upgrade-1-[0-9a-f]{8}");
    assertThat(KubeVirtSnapshots.snapshotName("web-1", "a_b"))
        .isNotEqualTo(KubeVirtSnapshots.snapshotName("web-1", "a-b"));
  }

  @Test
  void treeReadsAreNilSafe() {
    Map<String, Object> tree = Map.of("a", Map.of("b", List.of(Map.of("c", 1), "x")));
    assertThat(Tree.maps(tree, "a", "b")).hasSize(1);
    assertThat(Tree.text(tree, "a", "b", "c")).isEmpty();
    assertThat(Tree.number(Map.of("n", "12"), "n")).contains(12L);
    assertThat(Tree.number(Map.of("n", "twelve"), "n")).isEmpty();
    assertThat(Tree.bool(Map.of("b", "true"), "b")).contains(true);
    assertThat(Tree.strings(tree, "a")).isEmpty();
  }
}
