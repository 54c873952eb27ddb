package dev.virtsaga.providers.kubevirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.kubevirt.KubeVirtFaults;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the kit does not check, against the KubeVirt simulator: the API's refusals as INVALID_SPEC,
 * instancetypes, failed starts, a stalled migration cancelled, an API that is down, bookmarks,
 * capability detection.
 */
class KubeVirtProviderTest {
  private static final Duration WAIT = SimulatedKubeVirt.WAIT;
  private static SimulatedKubeVirt kubevirt;
  private static KubeVirtProvider provider;

  @BeforeAll
  static void start() {
    kubevirt =
        new SimulatedKubeVirt(
            KubeVirtSimulator.builder()
                .stepDelay(Duration.ofMillis(20))
                .bookmarkInterval(Duration.ofMillis(300))
                .build());
    provider = kubevirt.provider();
  }

  @AfterAll
  static void stop() {
    if (kubevirt != null) {
      kubevirt.close();
    }
  }

  @AfterEach
  void clearFaults() {
    kubevirt.sim().faults().clear();
  }

  private static CreateRequest request(String name, Map<String, String> labels) {
    String vmId = UUID.randomUUID().toString();
    return new CreateRequest(vmId, "op-" + vmId, name, 1, 128, 0, null, labels);
  }

  private static <T> T call(Uni<T> uni) {
    return uni.await().atMost(WAIT);
  }

  private static ProviderException failureOf(Uni<?> uni) {
    try {
      uni.await().atMost(WAIT);
    } catch (ProviderException e) {
      return e;
    }
    throw new AssertionError("expected a ProviderException");
  }

  @Test
  void aSpecTheApiRefusesIsAnInvalidSpecWithItsCausesAndNothingIsMade() {
    // Given a create naming an instancetype the cluster does not have
    CreateRequest bad =
        request("bad-type", Map.of(KubeVirtProvider.LABEL_INSTANCETYPE, "no-such-type"));

    // When
    ProviderException refused = failureOf(provider.create(bad));
    ProviderException dryRun = failureOf(provider.validateSpec(bad));

    // Then: the admission webhook's answer, typed and readable; nothing stored
    assertThat(refused.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(refused.getMessage()).contains("422").contains("no-such-type");
    assertThat(dryRun.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(call(provider.describe(bad.vmId(), null)).exists()).isFalse();
    assertThat(kubevirt.vm(KubeVirtProvider.vmName(bad.name(), bad.vmId()))).isNull();
  }

  @Test
  void aCreateOnANamedNodeRunsThereAndAnUnknownNodeIsInvalid() {
    // Given
    CreateRequest placed = request("placed", Map.of()).onHost("node-c");
    String name = call(provider.create(placed)).providerRef();
    try {
      // When
      call(provider.power(placed.vmId(), name, PowerOp.ON));

      // Then
      assertThat(call(provider.describe(placed.vmId(), name)).raw())
          .containsEntry("host", "node-c");
    } finally {
      call(provider.delete(placed.vmId(), name));
    }
    CreateRequest nowhere = request("nowhere", Map.of()).onHost("node-z");
    assertThat(failureOf(provider.create(nowhere)).type()).isEqualTo(ErrorType.INVALID_SPEC);
  }

  @Test
  void aVmRevertedToARunningSnapshotMigratesThroughAMigrationObject() {
    CreateRequest r = request("reverted", Map.of());
    String name = call(provider.create(r)).providerRef();
    try {
      call(provider.power(r.vmId(), name, PowerOp.ON));
      var snap = call(provider.createSnapshot(r.vmId(), name, "base", null));
      call(provider.revertSnapshot(r.vmId(), name, snap.snapshotId()));
      String from = call(provider.describe(r.vmId(), name)).raw().get("host");
      String to = from.equals("node-a") ? "node-b" : "node-a";

      String task = call(provider.migrate(r.vmId(), name, to));

      assertThat(task).doesNotStartWith("done/");
      await().atMost(WAIT).until(() -> call(provider.migrationStatus(task)).isComplete());
      assertThat(call(provider.migrationStatus(task)).phase()).isEqualTo(TaskState.Phase.SUCCEEDED);
      assertThat(call(provider.describe(r.vmId(), name)).raw()).containsEntry("host", to);
    } finally {
      call(provider.delete(r.vmId(), name));
    }
  }

  @Test
  void aValidSpecPassesTheDryRunWithoutBeingMade() {
    CreateRequest good = request("dry", Map.of());

    call(provider.validateSpec(good));

    assertThat(kubevirt.vm(KubeVirtProvider.vmName(good.name(), good.vmId()))).isNull();
  }

  @Test
  void aVmSizedByAClusterInstancetypeRunsAndItsSizesAreNotReconfigured() {
    // Given a cluster instancetype, listed
    kubevirt
        .client()
        .genericKubernetesResources(KubeVirtApi.CLUSTER_INSTANCETYPES)
        .resource(
            Serialization.unmarshal(
                "{\"apiVersion\":\"instancetype.kubevirt.io/v1beta1\","
                    + "\"kind\":\"VirtualMachineClusterInstancetype\",\"metadata\":{\"name\":\"u1.small\"},"
                    + "\"spec\":{\"cpu\":{\"guest\":1},\"memory\":{\"guest\":\"256Mi\"}}}",
                GenericKubernetesResource.class))
        .create();
    assertThat(call(provider.listInstancetypes())).contains("u1.small");

    // When a VM names it
    CreateRequest sized = request("typed", Map.of(KubeVirtProvider.LABEL_INSTANCETYPE, "u1.small"));
    String name = call(provider.create(sized)).providerRef();
    try {
      call(provider.power(sized.vmId(), name, PowerOp.ON));

      // Then: the VM references it and has no CPU/memory of its own
      Map<String, Object> vm = Tree.of(kubevirt.vm(name));
      assertThat(Tree.text(vm, "spec", "instancetype", "name")).contains("u1.small");
      assertThat(Tree.text(vm, "spec", "instancetype", "kind"))
          .contains("VirtualMachineClusterInstancetype");
      assertThat(Tree.at(vm, "spec", "template", "spec", "domain", "cpu")).isEmpty();
      assertThat(call(provider.describe(sized.vmId(), name)).power()).isEqualTo(PowerState.ON);
      assertThat(
              failureOf(
                      provider.reconfigure(
                          sized.vmId(),
                          name,
                          dev.virtsaga.providers.spi.ReconfigureRequest.cpus(4)))
                  .type())
          .isEqualTo(ErrorType.NOT_SUPPORTED);
    } finally {
      call(provider.delete(sized.vmId(), name));
    }
  }

  @Test
  void aStartThatCannotBeScheduledFailsAsUnavailableWithTheReason() {
    // Given
    CreateRequest r = request("unschedulable", Map.of());
    String name = call(provider.create(r)).providerRef();
    kubevirt.sim().faults().failStart(name, KubeVirtFaults.StartFailure.UNSCHEDULABLE);
    try {
      // When
      ProviderException failed = failureOf(provider.power(r.vmId(), name, PowerOp.ON));

      // Then
      assertThat(failed.type()).isEqualTo(ErrorType.UNAVAILABLE);
      assertThat(failed.getMessage()).contains("ErrorUnschedulable");
      assertThat(call(provider.describe(r.vmId(), name)).power()).isEqualTo(PowerState.CRASHED);
    } finally {
      call(provider.delete(r.vmId(), name));
    }
  }

  @Test
  void aStalledMigrationIsCancelledAndTheVmStaysOnItsNode() {
    // Given a running VM whose migrations stall
    CreateRequest r = request("stalled", Map.of());
    String name = call(provider.create(r)).providerRef();
    try {
      call(provider.power(r.vmId(), name, PowerOp.ON));
      String from = call(provider.describe(r.vmId(), name)).raw().get("host");
      String to = from.equals("node-a") ? "node-b" : "node-a";
      kubevirt.sim().faults().stall(KubeVirtFaults.Operation.MIGRATION, KubeVirtFaults.ANY);

      // When
      String task = call(provider.migrate(r.vmId(), name, to));
      assertThat(call(provider.migrationStatus(task)).phase()).isEqualTo(TaskState.Phase.RUNNING);
      assertThat(call(provider.migrate(r.vmId(), name, to))).as("the running one").isEqualTo(task);
      call(provider.cancelMigration(task));

      // Then: the migration object is gone, the VM runs where it ran
      await()
          .atMost(WAIT)
          .until(
              () ->
                  kubevirt
                          .client()
                          .genericKubernetesResources(KubeVirtApi.MIGRATION)
                          .inNamespace(kubevirt.sim().namespace())
                          .withName(task)
                          .get()
                      == null);
      assertThat(call(provider.migrationStatus(task)).phase()).isEqualTo(TaskState.Phase.FAILED);
      assertThat(call(provider.migrationStatus(task)).error().getMessage()).contains("cancelled");
      assertThat(call(provider.describe(r.vmId(), name)).raw()).containsEntry("host", from);
      assertThat(call(provider.describe(r.vmId(), name)).power()).isEqualTo(PowerState.ON);
    } finally {
      kubevirt.sim().faults().clear();
      call(provider.delete(r.vmId(), name));
    }
  }

  @Test
  void anApiThatIsDownIsUnavailableAndTheNextCallWorksWhenItIsBack() {
    // When
    kubevirt.sim().faults().unavailable();
    ProviderException down = failureOf(provider.validate());
    ProviderException describe = failureOf(provider.describe(UUID.randomUUID().toString(), null));
    kubevirt.sim().faults().available();

    // Then
    assertThat(down.type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(describe.type()).isEqualTo(ErrorType.UNAVAILABLE);
    call(provider.validate());
  }

  @Test
  void aQuietWatchGetsBookmarksToResumeFrom() {
    // Given
    VmList list = call(provider.listWithVersion());

    // When
    AssertSubscriber<WatchEvent> watch =
        provider
            .watch(list.resourceVersion())
            .subscribe()
            .withSubscriber(AssertSubscriber.create(100));
    try {
      // Then
      await()
          .atMost(WAIT)
          .until(
              () -> watch.getItems().stream().anyMatch(e -> e.type() == WatchEvent.Type.BOOKMARK));
      WatchEvent bookmark =
          watch.getItems().stream()
              .filter(e -> e.type() == WatchEvent.Type.BOOKMARK)
              .findFirst()
              .orElseThrow();
      assertThat(bookmark.resourceVersion()).isNotBlank();
      assertThat(bookmark.vmId()).isNull();
    } finally {
      watch.cancel();
    }
  }

  @Test
  void capabilitiesFollowTheGroupsTheClusterServes() {
    // Given a cluster without clone.kubevirt.io
    try (SimulatedKubeVirt partial =
        new SimulatedKubeVirt(
            KubeVirtSimulator.builder()
                .stepDelay(Duration.ofMillis(20))
                .withoutGroup("clone.kubevirt.io")
                .build())) {
      // Then
      assertThat(partial.provider().capabilities())
          .contains(Capability.SNAPSHOTS, Capability.MIGRATION, Capability.WATCH)
          .doesNotContain(Capability.CLONE, Capability.DISKS, Capability.DISK_EXPORT_IMPORT);
    }
    assertThat(provider.capabilities()).contains(Capability.CLONE, Capability.SNAPSHOTS);
    assertThatThrownBy(() -> KubeVirtSettings.of("http://api.example.com:6443", "default"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
