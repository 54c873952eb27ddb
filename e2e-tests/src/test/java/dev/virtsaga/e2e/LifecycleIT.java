package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.providers.spi.PowerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A VM's whole life through the gateway, Kafka, the orchestrator and the libvirt worker. */
class LifecycleIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Stack stack;
  private static Api api;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    api = new Api(stack.gatewayUrl());
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void awaitState(String vmId, String state) {
    await().atMost(WAIT).until(() -> state.equals(api.state(vmId)));
  }

  private static void awaitOperation(Api.Answer accepted, String status) {
    String op = accepted.body().path("operationId").asText();
    await()
        .atMost(WAIT)
        .until(() -> status.equals(api.get("/v1/operations/" + op).body().path("status").asText()));
  }

  @Test
  void aVmLivesAndDiesThroughTheApiAndTheHypervisorFollows() throws Exception {
    List<CloudEvent> published;
    String vmId;
    try (EventRecorder recorder =
            EventRecorder.start(
                stack.kafka,
                List.of(
                    Topics.LIFECYCLE,
                    Topics.STATE,
                    Topics.COMMANDS,
                    Topics.TASK_EVENTS,
                    Topics.tasks("libvirt")),
                false);
        Api.Sse sse = api.events("")) {
      await().atMost(WAIT).until(() -> sse.connected);
      // When a VM is created
      long t0 = System.nanoTime();
      Api.Answer created = api.createVm(unique("web"));
      assertThat(created.status()).isEqualTo(202);
      assertThat(created.location())
          .isEqualTo("/v1/operations/" + created.body().path("operationId").asText());
      vmId = created.body().path("vmId").asText();
      // Then it reaches RUNNING within 5 s, through every state, visible on the event stream
      String id = vmId;
      await().atMost(Duration.ofSeconds(5)).until(() -> "RUNNING".equals(api.state(id)));
      long millis = Duration.ofNanos(System.nanoTime() - t0).toMillis();
      await().atMost(WAIT).until(() -> statesOnSse(sse, id).contains("RUNNING"));
      assertThat(statesOnSse(sse, vmId))
          .containsExactly("PENDING", "PROVISIONING", "STARTING", "RUNNING");
      assertThat(millis).isLessThan(5000);
      // And its domain exists and runs
      assertThat(Hypervisor.domainsOf(vmId)).isEqualTo(1);
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);
      awaitOperation(created, "SUCCEEDED");

      // reconfigure: bad bodies are refused, a good one changes the spec and returns to RUNNING
      assertThat(api.send("PATCH", "/v1/vms/" + vmId, "{}", Map.of()).status()).isEqualTo(400);
      assertThat(api.send("PATCH", "/v1/vms/" + vmId, "{\"gpus\":1}", Map.of()).status())
          .isEqualTo(400);
      Api.Answer resize =
          api.send("PATCH", "/v1/vms/" + vmId, "{\"cpus\":2,\"memoryMiB\":256}", Map.of());
      assertThat(resize.status()).isEqualTo(202);
      awaitOperation(resize, "SUCCEEDED");
      JsonNode resized = api.get("/v1/vms/" + vmId).body();
      assertThat(resized.path("state").asText()).isEqualTo("RUNNING");
      assertThat(resized.path("spec").path("cpus").asInt()).isEqualTo(2);
      assertThat(resized.path("spec").path("memoryMiB").asLong()).isEqualTo(256);
      // stop
      Api.Answer stop = api.post("/v1/vms/" + vmId + "/actions/stop", null);
      assertThat(stop.status()).isEqualTo(202);
      awaitState(vmId, "STOPPED");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.OFF);
      awaitOperation(stop, "SUCCEEDED");
      // start
      Api.Answer start = api.post("/v1/vms/" + vmId + "/actions/start", null);
      assertThat(start.status()).isEqualTo(202);
      awaitOperation(start, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);
      // reboot
      Api.Answer reboot = api.post("/v1/vms/" + vmId + "/actions/reboot", null);
      assertThat(reboot.status()).isEqualTo(202);
      awaitOperation(reboot, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      // suspend and resume
      Api.Answer suspend = api.post("/v1/vms/" + vmId + "/actions/suspend", null);
      assertThat(suspend.status()).isEqualTo(202);
      awaitOperation(suspend, "SUCCEEDED");
      awaitState(vmId, "SUSPENDED");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.PAUSED);
      Api.Answer resume = api.post("/v1/vms/" + vmId + "/actions/resume", null);
      assertThat(resume.status()).isEqualTo(202);
      awaitOperation(resume, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);
      // snapshot: take, list, revert, delete — the VM stays RUNNING, locked meanwhile
      Api.Answer snap = api.post("/v1/vms/" + vmId + "/snapshots", "{\"name\":\"before-upgrade\"}");
      assertThat(snap.status()).isEqualTo(202);
      String snapshotId = snap.body().path("operationId").asText();
      awaitOperation(snap, "SUCCEEDED");
      JsonNode snapshots = api.get("/v1/vms/" + vmId + "/snapshots").body().path("items");
      assertThat(snapshots).hasSize(1);
      assertThat(snapshots.get(0).path("id").asText()).isEqualTo(snapshotId);
      assertThat(snapshots.get(0).path("name").asText()).isEqualTo("before-upgrade");
      assertThat(snapshots.get(0).path("phase").asText()).isEqualTo("SUCCEEDED");
      assertThat(api.post("/v1/vms/" + vmId + "/snapshots", "{\"name\":\"bad name!\"}").status())
          .isEqualTo(400);
      assertThat(api.post("/v1/vms/" + vmId + "/snapshots/nope/revert", null).status())
          .isEqualTo(404);
      Api.Answer revert =
          api.post("/v1/vms/" + vmId + "/snapshots/" + snapshotId + "/revert", null);
      assertThat(revert.status()).isEqualTo(202);
      awaitOperation(revert, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);
      Api.Answer unsnap = api.delete("/v1/vms/" + vmId + "/snapshots/" + snapshotId);
      assertThat(unsnap.status()).isEqualTo(202);
      awaitOperation(unsnap, "SUCCEEDED");
      assertThat(api.get("/v1/vms/" + vmId + "/snapshots").body().path("items")).isEmpty();
      // delete
      Api.Answer delete = api.delete("/v1/vms/" + vmId);
      assertThat(delete.status()).isEqualTo(202);
      awaitOperation(delete, "SUCCEEDED");
      await().atMost(WAIT).until(() -> api.get("/v1/vms/" + id).status() == 404);
      assertThat(Hypervisor.domainsOf(vmId)).isZero();
      await().atMost(WAIT).until(() -> statesOnSse(sse, id).contains("DELETED"));
      assertThat(statesOnSse(sse, vmId))
          .containsExactly(
              "PENDING",
              "PROVISIONING",
              "STARTING",
              "RUNNING",
              "RECONFIGURING",
              "RUNNING",
              "STOPPING",
              "STOPPED",
              "STARTING",
              "RUNNING",
              "REBOOTING",
              "RUNNING",
              "SUSPENDING",
              "SUSPENDED",
              "RESUMING",
              "RUNNING",
              "DELETING",
              "DELETED");
      published = recorder.events(r -> id.equals(r.key()));
    }
    // Every event any service published about the VM is valid against its schema
    assertThat(published).hasSizeGreaterThan(30);
    for (CloudEvent e : published) {
      assertThat(EventSchemas.validate(e.type(), e.data())).as(e.type() + " " + e.data()).isEmpty();
    }
  }

  private static List<String> statesOnSse(Api.Sse sse, String vmId) {
    return sse.received.stream()
        .filter(j -> vmId.equals(j.path("vmId").asText()))
        .filter(j -> j.path("type").asText().equals("dev.virtsaga.vm.state.changed.v1"))
        .map(j -> j.path("to").asText())
        .toList();
  }

  @Test
  void theSameCommandPostedTwiceWithOneIdempotencyKeyMakesOneVm() {
    String name = unique("idem");
    String body =
        "{\"name\":\""
            + name
            + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0}";
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    Api.Answer first = api.send("POST", "/v1/vms", body, key);
    Api.Answer second = api.send("POST", "/v1/vms", body, key);
    assertThat(first.status()).isEqualTo(202);
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.body().path("operationId")).isEqualTo(first.body().path("operationId"));
    assertThat(second.body().path("vmId")).isEqualTo(first.body().path("vmId"));
    String vmId = first.body().path("vmId").asText();
    awaitState(vmId, "RUNNING");
    assertThat(Hypervisor.domainsOf(vmId)).isEqualTo(1);
    JsonNode list = api.get("/v1/vms?limit=500").body();
    long sameName = 0;
    for (JsonNode vm : list.path("items")) {
      sameName += name.equals(vm.path("name").asText()) ? 1 : 0;
    }
    assertThat(sameName).as("VMs named %s in %s", name, list).isEqualTo(1);
    // the same key with another body is refused
    Api.Answer other = api.send("POST", "/v1/vms", body.replace("\"cpus\":1", "\"cpus\":2"), key);
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.contentType()).startsWith("application/problem+json");
    api.delete("/v1/vms/" + vmId);
  }

  @Test
  void aConflictingCommandIsRejectedWith409() {
    Api.Answer created = api.createVm(unique("busy"));
    String vmId = created.body().path("vmId").asText();
    awaitState(vmId, "RUNNING");
    Api.Answer stop = api.post("/v1/vms/" + vmId + "/actions/stop", null);
    Api.Answer reboot = api.post("/v1/vms/" + vmId + "/actions/reboot", null);
    assertThat(stop.status()).isEqualTo(202);
    assertThat(reboot.status()).isEqualTo(409);
    assertThat(reboot.contentType()).startsWith("application/problem+json");
    awaitOperation(stop, "SUCCEEDED");
    // the operation's status and the VM's state come by different topics: either may be first
    awaitState(vmId, "STOPPED");
    Api.Answer delete = api.delete("/v1/vms/" + vmId);
    awaitOperation(delete, "SUCCEEDED");
    assertThat(Hypervisor.domainsOf(vmId)).isZero();
  }

  @Test
  void badInputGets400ProblemJsonAndPublishesNothing() {
    try (EventRecorder commands =
        EventRecorder.start(stack.kafka, List.of(Topics.COMMANDS), false)) {
      String[] bad = {
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":1,", // malformed JSON
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0,\"gpu\":true}",
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":0,\"memoryMiB\":128,\"diskGiB\":0}",
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":10,\"diskGiB\":0}",
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":99999999999,\"diskGiB\":0}",
        "{\"name\":\"Not A Name!\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":0}",
        "{\"name\":\"x\",\"provider\":\"libvirt\",\"cpus\":\"many\",\"memoryMiB\":128,\"diskGiB\":0}",
      };
      for (String body : bad) {
        Api.Answer a = api.post("/v1/vms", body);
        assertThat(a.status()).as(body).isEqualTo(400);
        assertThat(a.contentType()).as(body).startsWith("application/problem+json");
        assertThat(a.body().path("status").asInt()).isEqualTo(400);
        assertThat(a.body().path("detail").asText()).isNotBlank();
      }
      // a good request afterwards is the only command on the topic
      Api.Answer good = api.createVm(unique("good"));
      String vmId = good.body().path("vmId").asText();
      await().atMost(WAIT).until(() -> !commands.events(r -> true).isEmpty());
      assertThat(commands.all()).extracting(EventRecorder.Recorded::key).containsExactly(vmId);
      awaitState(vmId, "RUNNING");
      api.delete("/v1/vms/" + vmId);
    }
  }

  @Test
  void theGatewayListsTheLibvirtProviderWithItsCapabilitiesAndHealth() {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode libvirt = null;
              for (JsonNode p : api.get("/v1/providers").body().path("items")) {
                libvirt = "libvirt".equals(p.path("name").asText()) ? p : libvirt;
              }
              assertThat(libvirt).as("libvirt in /v1/providers").isNotNull();
              assertThat(libvirt.path("health").asText()).isEqualTo("HEALTHY");
              assertThat(libvirt.path("capabilities").toString())
                  .contains("\"REBOOT\"", "\"SUSPEND_RESUME\"");
            });
  }
}
