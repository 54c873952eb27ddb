package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.vsphere.VSphereProvider;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 5's acceptance through the gateway, the orchestrator and worker-vsphere against vcsim:
 * create from the template → RUNNING with the guest's IP → snapshot → reconfigure → revert →
 * migrate to another host of the cluster → delete, each a lifecycle event, and vcsim left with no
 * managed VM; then vcsim restarted in the middle of a create.
 *
 * <p>The test looks at vcsim through its own {@link VSphereProvider} session (an operator's view,
 * not the worker's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VSphereAcceptanceIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final List<String> HOSTS = List.of("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2");
  private static Stack stack;
  private static Api api;
  private static Vertx vertx;
  private static VSphereProvider vcenter;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    assertThat(stack.vcsim).as("vcsim runs on the default stack").isNotNull();
    api = new Api(stack.gatewayUrl());
    vertx = Vertx.vertx();
    vcenter = stack.vcenterSession(vertx);
  }

  @AfterAll
  static void down() {
    if (vcenter != null) {
      vcenter.close();
      vertx.closeAndAwait();
    }
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void awaitState(String vmId, String state) {
    api.awaitState(vmId, state, WAIT);
  }

  private static JsonNode awaitOperation(Api.Answer accepted, String status) {
    return api.awaitOperation(accepted, status, WAIT);
  }

  /** The VM as vcsim has it. */
  private static VmDescription onVcsim(String vmId) {
    return vcenter.describe(vmId, null).await().atMost(WAIT);
  }

  /** Every VM tagged with a vmId on vcsim. */
  private static List<String> managedOnVcsim() {
    return vcenter.list(null, 1000).await().atMost(WAIT).items().stream()
        .map(VmDescription::vmId)
        .toList();
  }

  private static Api.Answer createVm(String name) {
    return api.post(
        "/v1/vms",
        "{\"name\":\""
            + name
            + "\",\"provider\":\"vsphere\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0}");
  }

  @Test
  @Order(1)
  void createSnapshotReconfigureRevertMigrateDeleteThroughTheGateway() throws Exception {
    try (EventRecorder recorder =
        EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE), false)) {
      // create from the template: RUNNING with the address the guest reports
      Api.Answer created = createVm(unique("vs"));
      String vmId = created.body().path("vmId").asText();
      awaitOperation(created, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      JsonNode vm = api.get("/v1/vms/" + vmId).body();
      assertThat(vm.path("ips").size()).as(vm.toString()).isEqualTo(1);
      String ip = vm.path("ips").get(0).asText();
      assertThat(ip).startsWith("10.80.");
      VmDescription there = onVcsim(vmId);
      assertThat(there.power()).isEqualTo(PowerState.ON);
      assertThat(there.ips()).containsExactly(ip);
      assertThat(there.raw().get("name")).endsWith(vmId);

      // snapshot
      Api.Answer snap = api.post("/v1/vms/" + vmId + "/snapshots", "{\"name\":\"base\"}");
      String snapshotId = snap.body().path("operationId").asText();
      awaitOperation(snap, "SUCCEEDED");

      // reconfigure
      awaitOperation(
          api.send("PATCH", "/v1/vms/" + vmId, "{\"cpus\":2,\"memoryMiB\":256}", Map.of()),
          "SUCCEEDED");
      assertThat(api.get("/v1/vms/" + vmId).body().path("spec").path("cpus").asInt()).isEqualTo(2);

      // revert to the snapshot of the running VM: it runs again
      awaitOperation(
          api.post("/v1/vms/" + vmId + "/snapshots/" + snapshotId + "/revert", null), "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(onVcsim(vmId).power()).isEqualTo(PowerState.ON);

      // migrate to another host of the cluster: an unknown host is refused up front
      assertThat(api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"nowhere\"}").status())
          .isEqualTo(422);
      String from = onVcsim(vmId).raw().get("host");
      String to =
          HOSTS.stream()
              .filter(h -> !h.equals(from) && !h.equals(HOSTS.get(0)))
              .findFirst()
              .orElseThrow();
      JsonNode moved =
          awaitOperation(
              api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + to + "\"}"), "SUCCEEDED");
      assertThat(moved.path("result").path("host").asText()).isEqualTo(to);
      awaitState(vmId, "RUNNING");
      assertThat(api.get("/v1/vms/" + vmId).body().path("spec").path("host").asText())
          .isEqualTo(to);
      assertThat(onVcsim(vmId).raw()).containsEntry("host", to);
      // tasks follow it there
      awaitOperation(api.post("/v1/vms/" + vmId + "/actions/reboot", null), "SUCCEEDED");

      // delete: nothing of ours is left on vcsim
      awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED");
      assertThat(onVcsim(vmId).exists()).isFalse();
      assertThat(managedOnVcsim()).isEmpty();

      // each step was a lifecycle event that follows its schema
      List<CommandType> succeeded = new ArrayList<>();
      for (CloudEvent e : recorder.events(r -> vmId.equals(r.key()))) {
        assertThat(EventSchemas.validate(e.type(), e.data()))
            .as(e.type() + " " + e.data())
            .isEmpty();
        if (e.type().contains("operation.succeeded") && e.subject() != null) {
          succeeded.add(Json.read(e.data(), OperationSucceeded.class).operation());
        }
      }
      assertThat(succeeded)
          .contains(
              CommandType.CREATE,
              CommandType.SNAPSHOT_CREATE,
              CommandType.RECONFIGURE,
              CommandType.SNAPSHOT_REVERT,
              CommandType.MIGRATE,
              CommandType.DELETE);
    }
  }

  /**
   * vcsim restarts while its clone of a create runs (each clone takes {@link
   * Stack#VCSIM_CLONE_DELAY}): the session and everything on the old server are gone. The worker
   * logs in again, and the create completes on the new server — or fails cleanly — but never hangs;
   * afterwards a VM on the restarted server is operated as usual.
   */
  @Test
  @Order(2)
  void aVcsimRestartDuringACreateEndsItCleanlyAndTheWorkerLogsInAgain() throws Exception {
    // Given a create whose clone is running on vcsim
    Api.Answer created = createVm(unique("restart"));
    String vmId = created.body().path("vmId").asText();
    await().atMost(WAIT).until(() -> "PROVISIONING".equals(api.state(vmId)));
    Thread.sleep(Stack.VCSIM_CLONE_DELAY.toMillis() / 3);

    // When vcsim is killed and started again on its port
    int port = stack.vcsim.port();
    stack.vcsim.kill();
    stack.vcsim.start(port);

    // Then the create ends — here it completes on the new server after the orchestrator's retry
    String op = created.body().path("operationId").asText();
    await()
        .atMost(WAIT)
        .until(
            () ->
                Set.of("SUCCEEDED", "FAILED", "TIMED_OUT")
                    .contains(api.get("/v1/operations/" + op).body().path("status").asText()));
    JsonNode outcome = api.get("/v1/operations/" + op).body();
    assertThat(outcome.path("status").asText()).as(outcome.toString()).isEqualTo("SUCCEEDED");
    awaitState(vmId, "RUNNING");
    assertThat(onVcsim(vmId).power()).isEqualTo(PowerState.ON);
    assertThat(managedOnVcsim()).containsExactly(vmId);

    // And the worker's new session serves the next commands
    awaitOperation(api.post("/v1/vms/" + vmId + "/actions/stop", null), "SUCCEEDED");
    awaitState(vmId, "STOPPED");
    awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED");
    assertThat(managedOnVcsim()).isEmpty();
  }
}
