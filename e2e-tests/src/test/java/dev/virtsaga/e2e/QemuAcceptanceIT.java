package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.providers.spi.PowerState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's acceptance on real libvirtd + QEMU (TCG), through the gateway: create → snapshot →
 * reconfigure → revert → clone → export (checksum checked on the file) → import → delete, each step
 * a lifecycle event, and afterwards no domain and no volume of ours left on the host. Runs in its
 * own failsafe execution with {@code virtsaga.libvirt.uri=qemu:///system}.
 */
class QemuAcceptanceIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Path TRANSFER = Path.of("/var/lib/virtsaga/transfer");
  private static final String POOL = "virtsaga";
  private static Stack stack;
  private static Api api;

  @BeforeAll
  static void up() throws IOException {
    assertThat(Stack.LIBVIRT_URI).startsWith("qemu");
    Files.createDirectories(TRANSFER);
    stack = Stack.get();
    api = new Api(stack.gatewayUrl());
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The operation's status and the VM's state come by different topics: either may be first. */
  private static void awaitState(String vmId, String state) {
    api.awaitState(vmId, state, WAIT);
  }

  private static JsonNode awaitOperation(Api.Answer accepted, String status) {
    return api.awaitOperation(accepted, status, WAIT);
  }

  /**
   * Our volumes in the pool. The pool is refreshed first: another host sharing the directory (the
   * migration target) may have deleted files this daemon still lists.
   */
  private static Set<String> volumes() throws Exception {
    virsh(Stack.LIBVIRT_URI, "pool-refresh", POOL);
    Process p =
        new ProcessBuilder("virsh", "-c", Stack.LIBVIRT_URI, "-q", "vol-list", POOL)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("virsh vol-list " + POOL + ": " + out).isZero();
    Set<String> names = new TreeSet<>();
    for (String line : out.split("\n")) {
      String name = line.trim().split("\\s+")[0];
      if (name.startsWith("virtsaga-")) {
        names.add(name);
      }
    }
    return names;
  }

  private static String virsh(String uri, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-c", uri));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    return out;
  }

  /** The name of the one domain on the host whose name starts with the VM's name. */
  private static String domainName(String uri, String vmName) throws Exception {
    return virsh(uri, "list", "--name")
        .lines()
        .map(String::strip)
        .filter(n -> n.startsWith(vmName))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no domain of " + vmName + " on " + uri));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void theWholeContractThroughTheGatewayOnQemuLeavesNothingBehind() throws Exception {
    Set<String> volumesBefore = volumes();
    List<String> vms = new ArrayList<>();
    Path exported = TRANSFER.resolve(unique("export") + ".qcow2");
    try (EventRecorder recorder =
        EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE), false)) {
      // create
      Api.Answer created =
          api.post(
              "/v1/vms",
              "{\"name\":\""
                  + unique("qemu")
                  + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":1}");
      String vmId = created.body().path("vmId").asText();
      vms.add(vmId);
      awaitOperation(created, "SUCCEEDED");
      awaitState(vmId, "RUNNING");
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);

      // snapshot
      Api.Answer snap = api.post("/v1/vms/" + vmId + "/snapshots", "{\"name\":\"base\"}");
      String snapshotId = snap.body().path("operationId").asText();
      awaitOperation(snap, "SUCCEEDED");

      // reconfigure
      Api.Answer resize =
          api.send("PATCH", "/v1/vms/" + vmId, "{\"cpus\":2,\"memoryMiB\":256}", Map.of());
      awaitOperation(resize, "SUCCEEDED");
      assertThat(api.get("/v1/vms/" + vmId).body().path("spec").path("cpus").asInt()).isEqualTo(2);

      // revert
      awaitOperation(
          api.post("/v1/vms/" + vmId + "/snapshots/" + snapshotId + "/revert", null), "SUCCEEDED");

      // clone (from the snapshot: the source keeps running)
      Api.Answer clone =
          api.post(
              "/v1/vms/" + vmId + "/clone",
              "{\"name\":\"" + unique("copy") + "\",\"snapshotId\":\"" + snapshotId + "\"}");
      JsonNode cloned = awaitOperation(clone, "SUCCEEDED");
      String cloneId = cloned.path("result").path("vmId").asText();
      assertThat(cloneId).isNotBlank();
      vms.add(cloneId);
      await().atMost(WAIT).until(() -> "STOPPED".equals(api.state(cloneId)));
      assertThat(Hypervisor.domainsOf(cloneId)).isEqualTo(1);
      assertThat(Hypervisor.power(cloneId)).isEqualTo(PowerState.OFF);

      // the disks, live from the hypervisor
      JsonNode disks = api.get("/v1/vms/" + vmId + "/disks").body();
      assertThat(disks.path("items").size()).as(disks.toString()).isGreaterThanOrEqualTo(1);
      assertThat(disks.path("items").get(0).path("virtualSizeBytes").asLong())
          .isGreaterThanOrEqualTo(1L << 30);

      // export: refused outside the allow-list, the checksum matches the file written
      for (String bad :
          List.of(
              "http://127.0.0.1:8080/x.qcow2",
              "http://169.254.169.254/latest",
              "file:///etc/passwd",
              "file://" + TRANSFER + "/../../../../etc/x.qcow2")) {
        Api.Answer refused =
            api.post(
                "/v1/vms/" + vmId + "/disks/export",
                "{\"url\":\"" + bad + "\",\"format\":\"qcow2\"}");
        assertThat(refused.status()).as(bad).isBetween(400, 499);
        assertThat(refused.contentType()).startsWith("application/problem+json");
      }
      Api.Answer export =
          api.post(
              "/v1/vms/" + vmId + "/disks/export",
              "{\"url\":\""
                  + exported.toUri()
                  + "\",\"format\":\"qcow2\",\"snapshotId\":\""
                  + snapshotId
                  + "\"}");
      JsonNode written = awaitOperation(export, "SUCCEEDED").path("result");
      assertThat(Files.isRegularFile(exported)).isTrue();
      String sha = sha256(exported);
      assertThat(written.path("sha256").asText()).isEqualTo(sha);
      assertThat(written.path("sizeBytes").asLong()).isEqualTo(Files.size(exported));

      // import: a new VM from the exported image (a wrong checksum fails it cleanly)
      Api.Answer badImport = api.post("/v1/disks/import", importBody(exported, "0".repeat(64)));
      String badVm = badImport.body().path("vmId").asText();
      vms.add(badVm);
      awaitOperation(badImport, "FAILED");
      Api.Answer imported = api.post("/v1/disks/import", importBody(exported, sha));
      String importedVm = imported.body().path("vmId").asText();
      vms.add(importedVm);
      awaitOperation(imported, "SUCCEEDED");
      awaitState(importedVm, "RUNNING");

      // delete all of them
      for (String id : vms) {
        awaitOperation(api.delete("/v1/vms/" + id), "SUCCEEDED");
      }
      for (String id : vms) {
        await().atMost(WAIT).until(() -> api.state(id) == null || "DELETED".equals(api.state(id)));
        assertThat(Hypervisor.domainsOf(id)).as("domains of " + id).isZero();
      }
      assertThat(volumes()).as("volumes left in pool " + POOL).isEqualTo(volumesBefore);

      // each step was a lifecycle event
      List<CloudEvent> published = recorder.events(r -> vms.contains(r.key()));
      List<CommandType> succeeded = new ArrayList<>();
      for (CloudEvent e : published) {
        assertThat(EventSchemas.validate(e.type(), e.data()))
            .as(e.type() + " " + e.data())
            .isEmpty();
        if (e.type().contains("operation.succeeded") && e.subject() != null) {
          succeeded.add(
              dev.virtsaga.events.Json.read(e.data(), OperationSucceeded.class).operation());
        }
      }
      assertThat(succeeded)
          .contains(
              CommandType.CREATE,
              CommandType.SNAPSHOT_CREATE,
              CommandType.RECONFIGURE,
              CommandType.SNAPSHOT_REVERT,
              CommandType.CLONE,
              CommandType.DISK_EXPORT,
              CommandType.DELETE);
    } finally {
      Files.deleteIfExists(exported);
    }
  }

  private static String importBody(Path image, String sha) {
    return "{\"name\":\""
        + unique("imported")
        + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"url\":\""
        + image.toUri()
        + "\",\"format\":\"qcow2\",\"sha256\":\""
        + sha
        + "\"}";
  }

  @Test
  void aVmMigratesToTheOtherHostItsTasksFollowAndAnAbortLeavesItWhereItIs() throws Exception {
    Set<String> volumesBefore = volumes();
    String hostB = stack.secondHostUri;
    String name = unique("mover");
    Api.Answer created =
        api.post(
            "/v1/vms",
            "{\"name\":\""
                + name
                + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,\"diskGiB\":1}");
    String vmId = created.body().path("vmId").asText();
    try {
      awaitOperation(created, "SUCCEEDED");
      // the provider lists its hosts; unknown hosts and the current host are refused up front
      assertThat(api.get("/v1/providers").body().toString()).contains(Stack.HOST_B);
      assertThat(api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"nowhere\"}").status())
          .isEqualTo(422);
      assertThat(api.delete("/v1/vms/" + vmId + "/migrate").status()).isEqualTo(409);

      // migrate to host-b: the domain moves, later tasks go there
      JsonNode moved =
          awaitOperation(
              api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + Stack.HOST_B + "\"}"),
              "SUCCEEDED");
      assertThat(moved.path("result").path("host").asText()).isEqualTo(Stack.HOST_B);
      assertThat(api.get("/v1/vms/" + vmId).body().path("spec").path("host").asText())
          .isEqualTo(Stack.HOST_B);
      awaitState(vmId, "RUNNING");
      assertThat(Hypervisor.domainsOn(hostB, vmId)).isEqualTo(1);
      assertThat(Hypervisor.domainsOf(vmId)).isZero();
      awaitOperation(api.post("/v1/vms/" + vmId + "/actions/reboot", null), "SUCCEEDED");
      assertThat(
              api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + Stack.HOST_B + "\"}")
                  .status())
          .isEqualTo(409);

      // migrate back, slowed down to 1 MiB/s on host-b, and abort it while it runs: the
      // migration is cancelled and the VM stays on host-b, running
      virsh(hostB, "migrate-setspeed", domainName(hostB, name), "1");
      Api.Answer back =
          api.post("/v1/vms/" + vmId + "/migrate", "{\"host\":\"" + Stack.HOST_A + "\"}");
      assertThat(back.status()).isEqualTo(202);
      await().atMost(WAIT).until(() -> "MIGRATING".equals(api.state(vmId)));
      Thread.sleep(1000); // let the migration get going on the hypervisor
      Api.Answer abort = api.delete("/v1/vms/" + vmId + "/migrate");
      assertThat(abort.status()).as(String.valueOf(abort.body())).isEqualTo(202);
      JsonNode aborted = awaitOperation(back, "FAILED");
      assertThat(aborted.toString()).contains("aborted");
      await().atMost(WAIT).until(() -> "RUNNING".equals(api.state(vmId)));
      assertThat(api.get("/v1/vms/" + vmId).body().path("spec").path("host").asText())
          .isEqualTo(Stack.HOST_B);
      assertThat(Hypervisor.domainsOn(hostB, vmId)).isEqualTo(1);
      assertThat(Hypervisor.domainsOf(vmId)).isZero();
    } finally {
      awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED");
    }
    assertThat(Hypervisor.domainsOf(vmId)).isZero();
    assertThat(Hypervisor.domainsOn(hostB, vmId)).isZero();
    assertThat(volumes()).isEqualTo(volumesBefore);
  }
}
