package dev.virtsaga.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.providers.spi.PowerState;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Crashes and silence: the orchestrator killed mid-create, and a task no worker answers. */
class ResilienceIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static Stack stack;
  private static Api api;

  @BeforeAll
  static void up() {
    stack = Stack.get();
    api = new Api(stack.gatewayUrl());
  }

  @Test
  void anOrchestratorKilledMidCreateResumesAndMakesExactlyOneDomain() {
    // Given the worker is down, so the create stops at PROVISIONING with its task on Kafka
    stack.worker.stop();
    try {
      Api.Answer created = api.createVm("crash-" + UUID.randomUUID().toString().substring(0, 8));
      assertThat(created.status()).isEqualTo(202);
      String vmId = created.body().path("vmId").asText();
      await().atMost(WAIT).until(() -> "PROVISIONING".equals(api.state(vmId)));
      // When the orchestrator is killed (SIGKILL) and the worker does the work meanwhile
      stack.orchestrator.kill();
      stack.worker.start().awaitReady();
      await().atMost(WAIT).until(() -> Hypervisor.domainsOf(vmId) == 1);
      // And the orchestrator comes back
      stack.restartOrchestrator(Map.of());
      // Then the saga resumes from its persisted step and ends RUNNING with one domain
      await().atMost(WAIT).until(() -> "RUNNING".equals(api.state(vmId)));
      assertThat(Hypervisor.domainsOf(vmId)).isEqualTo(1);
      assertThat(Hypervisor.power(vmId)).isEqualTo(PowerState.ON);
      api.delete("/v1/vms/" + vmId);
      await().atMost(WAIT).until(() -> Hypervisor.domainsOf(vmId) == 0);
    } finally {
      if (!stack.worker.isAlive()) {
        stack.worker.start().awaitReady();
      }
      if (!stack.orchestrator.isAlive()) {
        stack.restartOrchestrator(Map.of());
      }
    }
  }

  @Test
  void aTaskNoWorkerAnswersHitsItsDeadlineAndTheVmEndsFailedWithoutADomain() {
    // Given short deadlines and no worker
    stack.restartOrchestrator(
        Map.of(
            "VIRTSAGA_ORCHESTRATOR_TIMEOUTS_PROVISION", "3s",
            "VIRTSAGA_ORCHESTRATOR_TIMEOUTS_DELETE", "3s"));
    stack.worker.stop();
    try {
      // When a VM is created
      Api.Answer created = api.createVm("silent-" + UUID.randomUUID().toString().substring(0, 8));
      String vmId = created.body().path("vmId").asText();
      String op = created.body().path("operationId").asText();
      // Then provision and its compensation time out, and the VM is FAILED, not stuck
      await().atMost(WAIT).until(() -> "FAILED".equals(api.state(vmId)));
      assertThat(
              api.get("/v1/vms/" + vmId).body().path("operation").isMissingNode()
                  || api.get("/v1/vms/" + vmId).body().path("operation").isNull())
          .isTrue();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "FAILED".equals(api.get("/v1/operations/" + op).body().path("status").asText()));
      // And when the worker returns, it drops the expired tasks: no domain appears
      stack.worker.start().awaitReady();
      Api.Answer marker = api.createVm("marker-" + UUID.randomUUID().toString().substring(0, 8));
      String markerId = marker.body().path("vmId").asText();
      await().atMost(WAIT).until(() -> Hypervisor.domainsOf(markerId) == 1);
      assertThat(Hypervisor.domainsOf(vmId)).isZero();
      // And a FAILED VM can still be deleted
      Api.Answer delete = api.delete("/v1/vms/" + vmId);
      assertThat(delete.status()).isEqualTo(202);
      await().atMost(WAIT).until(() -> api.get("/v1/vms/" + vmId).status() == 404);
      api.delete("/v1/vms/" + markerId);
      await().atMost(WAIT).until(() -> api.get("/v1/vms/" + markerId).status() == 404);
      assertThat(Hypervisor.domainsOf(markerId)).isZero();
    } finally {
      if (!stack.worker.isAlive()) {
        stack.worker.start().awaitReady();
      }
      stack.restartOrchestrator(Map.of());
    }
  }
}
