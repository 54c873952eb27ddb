package dev.virtsaga.orchestrator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationTimedOut;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.events.task.TaskRequested;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A task nobody answers: the deadline sweeper takes the timeout branch; nothing stays stuck. */
@QuarkusTest
@TestProfile(DeadlineTest.ShortDeadlines.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DeadlineTest {

  public static class ShortDeadlines implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "virtsaga.orchestrator.timeouts.provision", "2s",
          "virtsaga.orchestrator.timeouts.delete", "2s");
    }
  }

  @Test
  void anUnansweredCreateTimesOutIsCompensatedAndEndsFailed() {
    String kafka = KafkaTestResource.bootstrapServers();
    String vmId = "vm-" + UUID.randomUUID();
    try (EventRecorder recorder =
            EventRecorder.start(
                kafka, List.of(Topics.LIFECYCLE, Topics.STATE, Topics.tasks("libvirt")), false);
        EventPublisher publisher = new EventPublisher(kafka)) {
      // Given a create that no worker will answer
      VmCommand cmd =
          new VmCommand(
              "op-" + vmId,
              vmId,
              "t1",
              CommandType.CREATE,
              Instant.now(),
              new VmSpec("late", "libvirt", 1, 256, 0, null, null),
              null,
              null,
              null);
      publisher.send(Topics.COMMANDS, vmId, CloudEvent.of("/test/gateway", vmId, cmd, Map.of()));
      // Then the step times out, the saga tries to undo it, and that times out too
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  recorder.payloads(vmId, StateChanged.class).stream()
                      .anyMatch(s -> s.to() == VmState.FAILED));
      assertThat(recorder.payloads(vmId, OperationTimedOut.class))
          .extracting(OperationTimedOut::step)
          .containsExactly("provision", "rollback-delete");
      assertThat(recorder.payloads(vmId, TaskRequested.class))
          .extracting(TaskRequested::step)
          .containsExactly("provision", "rollback-delete");
      assertThat(recorder.payloads(vmId, OperationFailed.class))
          .singleElement()
          .satisfies(f -> assertThat(f.errorType()).isEqualTo(ErrorType.TIMEOUT));
      // And the VM's final snapshot is stable: FAILED without an operation
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(recorder.payloads(vmId, VmSnapshot.class))
                      .last()
                      .satisfies(
                          s -> {
                            assertThat(s.state()).isEqualTo(VmState.FAILED);
                            assertThat(s.operation()).isNull();
                            assertThat(s.lastError().message()).contains("compensation failed");
                          }));
    }
  }
}
