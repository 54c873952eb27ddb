package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.providers.spi.PowerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 7's acceptance for libvirt on real libvirtd + QEMU: a domain destroyed with {@code virsh}
 * behind VirtSaga's back is observed through libvirt's lifecycle events and adopted as STOPPED
 * within a second; undefined, its VM fails as VANISHED within a second.
 */
class QemuDriftIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Duration WITHIN = Duration.ofSeconds(1);
  private static Stack stack;
  private static Api api;

  @BeforeAll
  static void up() {
    assertThat(Stack.LIBVIRT_URI).startsWith("qemu");
    stack = Stack.get();
    api = new Api(stack.gatewayUrl());
  }

  private static String virsh(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-c", Stack.LIBVIRT_URI));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    return out;
  }

  private static String domainName(String vmName) throws Exception {
    return virsh("list", "--all", "--name")
        .lines()
        .map(String::strip)
        .filter(n -> n.startsWith(vmName))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no domain of " + vmName));
  }

  @Test
  void aDomainDestroyedBehindOurBackIsAdoptedAsStoppedAndOneUndefinedFailsItsVm() throws Exception {
    String name = "drift-" + UUID.randomUUID().toString().substring(0, 8);
    Api.Answer created =
        api.post(
            "/v1/vms",
            "{\"name\":\""
                + name
                + "\",\"provider\":\"libvirt\",\"cpus\":1,\"memoryMiB\":128,"
                + "\"diskGiB\":1}");
    String vmId = created.body().path("vmId").asText();
    api.awaitOperation(created, "SUCCEEDED", WAIT);
    api.awaitState(vmId, "RUNNING", WAIT);
    String domain = domainName(name);
    try (EventRecorder r = EventRecorder.start(stack.kafka, List.of(Topics.LIFECYCLE), false)) {
      // When the domain is destroyed with virsh
      virsh("destroy", domain);

      // Then: within a second of libvirt showing it off, the state follows (ADOPT, the default)
      await().atMost(WAIT).until(() -> Hypervisor.power(vmId) == PowerState.OFF);
      await()
          .atMost(WITHIN)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  r.payloads(vmId, StateChanged.class).stream()
                      .anyMatch(s -> s.to() == VmState.STOPPED && "drift".equals(s.reason())));
      assertThat(r.payloads(vmId, PowerDrifted.class))
          .singleElement()
          .satisfies(d -> assertThat(d.policy()).isEqualTo(DriftPolicy.ADOPT));
      api.awaitState(vmId, "STOPPED", WAIT);

      // When the domain is undefined (its storage removed too)
      virsh("undefine", domain, "--remove-all-storage");

      // Then
      await().atMost(WAIT).until(() -> Hypervisor.power(vmId) == PowerState.NOT_FOUND);
      await()
          .atMost(WITHIN)
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  r.payloads(vmId, StateChanged.class).stream()
                      .anyMatch(s -> s.to() == VmState.FAILED && "VANISHED".equals(s.reason())));
      api.awaitState(vmId, "FAILED", WAIT);
    }
    // a delete of what is already gone succeeds (NOT_FOUND counts as deleted)
    api.awaitOperation(api.delete("/v1/vms/" + vmId), "SUCCEEDED", WAIT);
  }
}
