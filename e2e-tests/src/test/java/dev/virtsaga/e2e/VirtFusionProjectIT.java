package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.devstack.virtfusion.Faults;
import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.devstack.virtfusion.VirtFusionSimulator;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's acceptance: a project of 20 VirtFusion instances through the gateway, the orchestrator
 * and worker-virtfusion against the VirtFusion simulator injecting 20 % 429/503 faults.
 */
class VirtFusionProjectIT {
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Pattern TAG = Pattern.compile(".* \\[vs:([^\\]]+)\\]$");
  private static Stack stack;
  private static Api api;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    api = new Api(stack.gatewayUrl());
  }

  /** vmId → how many live (not deleted) simulator servers carry it. */
  private static Map<String, Integer> serversByVmId(VirtFusionSimulator sim) {
    Map<String, Integer> byVm = new HashMap<>();
    for (SimServer s : sim.servers()) {
      Matcher m = TAG.matcher(s.name());
      if (m.matches() && s.deleteAt() == null) {
        byVm.merge(m.group(1), 1, Integer::sum);
      }
    }
    return byVm;
  }

  @Test
  void twentyInstancesUnderFaultsReachRunningOnceEachAndABadProfileFailsAlone() {
    VirtFusionSimulator sim = stack.virtfusion;
    String project = "vf-" + UUID.randomUUID().toString().substring(0, 8);
    String body =
        """
        {"project_name":"%s","instances":[
          {"name":"web","provider":"virtfusion","number_of_instances":20,"provision":false,
           "hypervisor_group":1,"resources":{"memory":1024,"disk":25,"cpu":1},
           "template":"101","ssh_key_name":"ops",
           "ssh_public_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9wcyBrZXkgZm9yIGUyZSB0ZXN0cw ops",
           "network":{"bandwidth":1000,"public_ip":true}},
          {"name":"lost","provider":"virtfusion","number_of_instances":1,
           "hypervisor_group":1,"resources":{"memory":1024,"disk":25,"cpu":1},
           "template":"101","network":{"profile_id":999}}
        ]}
        """
            .formatted(project);
    sim.faults().seed(7).rate(Faults.Fault.TOO_MANY_REQUESTS, 0.10);
    sim.faults().rate(Faults.Fault.SERVICE_UNAVAILABLE, 0.10);
    try {
      Api.Answer accepted = api.post("/v1/projects", body);
      assertThat(accepted.status()).as(String.valueOf(accepted.body())).isEqualTo(202);
      assertThat(accepted.body().path("vms").size()).isEqualTo(21);

      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                JsonNode summary = api.get("/v1/projects/" + project).body().path("summary");
                return summary.path("running").asInt() == 20 && summary.path("failed").asInt() == 1;
              });
    } finally {
      sim.faults().clear();
    }
    JsonNode progress = api.get("/v1/projects/" + project).body();
    Set<String> running = new HashSet<>();
    String lostVm = null;
    for (JsonNode vm : progress.path("vms")) {
      if (vm.path("name").asText().equals("lost")) {
        lostVm = vm.path("vmId").asText();
        // a clear reason, on the VM's own operation
        assertThat(vm.path("error").toString().toLowerCase()).contains("network profile");
      } else {
        assertThat(vm.path("state").asText()).isEqualTo("RUNNING");
        running.add(vm.path("vmId").asText());
      }
    }
    assertThat(running).hasSize(20);
    // the faults did happen
    assertThat(sim.requestLog().entries().stream().filter(e -> e.injected()).count())
        .isGreaterThan(0);
    // no duplicate server, no lost instance: the simulator's servers are exactly the gateway's
    Map<String, Integer> servers = serversByVmId(sim);
    assertThat(servers.keySet()).containsExactlyInAnyOrderElementsOf(running);
    assertThat(servers.values()).allMatch(n -> n == 1);
    assertThat(servers).doesNotContainKey(lostVm);

    // clean up: every VM deleted, the simulator keeps no server of ours
    for (String vmId : List.copyOf(running)) {
      assertThat(api.delete("/v1/vms/" + vmId).status()).isEqualTo(202);
    }
    await().atMost(WAIT).until(() -> running.stream().noneMatch(serversByVmId(sim)::containsKey));
  }
}
