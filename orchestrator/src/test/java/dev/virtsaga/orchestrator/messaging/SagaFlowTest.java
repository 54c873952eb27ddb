package dev.virtsaga.orchestrator.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.RejectReason;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The orchestrator against a real Kafka broker and a real PostgreSQL, with the test playing the
 * gateway (commands) and the worker (task events).
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class SagaFlowTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static EventRecorder recorder;
  private static EventPublisher publisher;

  @BeforeAll
  static void connect() {
    String kafka = KafkaTestResource.bootstrapServers();
    recorder =
        EventRecorder.start(
            kafka,
            List.of(
                Topics.LIFECYCLE,
                Topics.STATE,
                Topics.tasks("libvirt"),
                Topics.dlq(Topics.COMMANDS)),
            false);
    publisher = new EventPublisher(kafka);
  }

  @AfterAll
  static void disconnect() {
    recorder.close();
    publisher.close();
  }

  private static String newVm() {
    return "vm-" + UUID.randomUUID();
  }

  private static void command(String vmId, String op, CommandType type) {
    VmSpec spec =
        type == CommandType.CREATE ? new VmSpec("web", "libvirt", 1, 256, 0, null, null) : null;
    VmCommand cmd = new VmCommand(op, vmId, "t1", type, Instant.now(), spec, null, null, null);
    publisher.send(Topics.COMMANDS, vmId, CloudEvent.of("/test/gateway", vmId, cmd, Map.of()));
  }

  private static TaskRequested awaitTask(String vmId, TaskAction action) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.payloads(vmId, TaskRequested.class).stream()
                    .filter(t -> t.action() == action)
                    .findFirst(),
            java.util.Optional::isPresent)
        .get();
  }

  private static void answer(TaskRequested t, TaskStatus status, PowerState power) {
    TaskEvent ev =
        TaskEvent.reporting(
            t, status, Instant.now(), "dom-" + t.vmId(), null, power, List.of("10.0.0.9"), null);
    publisher.send(
        Topics.TASK_EVENTS, t.vmId(), CloudEvent.of("/test/worker", t.vmId(), ev, Map.of()));
  }

  private static List<VmState> states(String vmId) {
    return recorder.payloads(vmId, StateChanged.class).stream().map(StateChanged::to).toList();
  }

  private static void runToRunning(String vmId) {
    command(vmId, "op-create-" + vmId, CommandType.CREATE);
    answer(awaitTask(vmId, TaskAction.CREATE), TaskStatus.SUCCEEDED, PowerState.OFF);
    answer(awaitTask(vmId, TaskAction.POWER_ON), TaskStatus.SUCCEEDED, PowerState.ON);
    await().atMost(WAIT).until(() -> states(vmId).contains(VmState.RUNNING));
  }

  @Test
  void createDrivesTheVmToRunningAndPublishesValidEventsInOrder() {
    String vmId = newVm();
    runToRunning(vmId);
    assertThat(states(vmId))
        .containsExactly(VmState.PENDING, VmState.PROVISIONING, VmState.STARTING, VmState.RUNNING);
    assertThat(recorder.payloads(vmId, OperationSucceeded.class)).hasSize(1);
    // the compacted state topic carries the latest snapshot, with increasing sequence
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(recorder.payloads(vmId, VmSnapshot.class))
                    .last()
                    .satisfies(
                        s -> {
                          assertThat(s.state()).isEqualTo(VmState.RUNNING);
                          assertThat(s.operation()).isNull();
                          assertThat(s.providerRef()).isEqualTo("dom-" + vmId);
                          assertThat(s.ips()).containsExactly("10.0.0.9");
                        }));
    List<Long> sequences =
        recorder.events(r -> vmId.equals(r.key()) && r.topic().equals(Topics.STATE)).stream()
            .map(e -> Long.parseLong(e.extension(CloudEvent.EXT_SEQUENCE)))
            .toList();
    assertThat(sequences).isSorted().doesNotHaveDuplicates();
    // every event published for this VM is valid against its schema
    for (CloudEvent e : recorder.events(r -> vmId.equals(r.key()))) {
      assertThat(EventSchemas.validate(e.type(), e.data())).as(e.type()).isEmpty();
    }
  }

  @Test
  void aCommandDeliveredTwiceIsHandledOnce() {
    String vmId = newVm();
    VmCommand cmd =
        new VmCommand(
            "op-" + vmId,
            vmId,
            "t1",
            CommandType.CREATE,
            Instant.now(),
            new VmSpec("dup", "libvirt", 1, 256, 0, null, null),
            null,
            null,
            null);
    CloudEvent event = CloudEvent.of("/test/gateway", vmId, cmd, Map.of());
    publisher.send(Topics.COMMANDS, vmId, event);
    publisher.send(Topics.COMMANDS, vmId, event);
    awaitTask(vmId, TaskAction.CREATE);
    // a later marker command proves both copies were consumed
    command(vmId, "op-marker-" + vmId, CommandType.REBOOT);
    await().atMost(WAIT).until(() -> !recorder.payloads(vmId, CommandRejected.class).isEmpty());
    assertThat(recorder.payloads(vmId, CommandAccepted.class)).hasSize(1);
    assertThat(recorder.payloads(vmId, TaskRequested.class)).hasSize(1);
  }

  @Test
  void aConflictingCommandIsRejectedAndChangesNothing() {
    String vmId = newVm();
    runToRunning(vmId);
    command(vmId, "op-stop-" + vmId, CommandType.STOP);
    awaitTask(vmId, TaskAction.SHUTDOWN_GRACEFUL);
    command(vmId, "op-reboot-" + vmId, CommandType.REBOOT);
    CommandRejected rejected =
        await()
            .atMost(WAIT)
            .until(() -> recorder.payloads(vmId, CommandRejected.class), l -> !l.isEmpty())
            .get(0);
    assertThat(rejected.reason()).isEqualTo(RejectReason.CONFLICT);
    assertThat(rejected.operationId()).isEqualTo("op-reboot-" + vmId);
    assertThat(recorder.payloads(vmId, TaskRequested.class))
        .noneMatch(t -> t.action() == TaskAction.REBOOT);
    // the stop still completes
    answer(awaitTask(vmId, TaskAction.SHUTDOWN_GRACEFUL), TaskStatus.SUCCEEDED, PowerState.OFF);
    await().atMost(WAIT).until(() -> states(vmId).contains(VmState.STOPPED));
  }

  @Test
  void deleteEndsWithATombstone() {
    String vmId = newVm();
    runToRunning(vmId);
    command(vmId, "op-del-" + vmId, CommandType.DELETE);
    answer(awaitTask(vmId, TaskAction.DELETE), TaskStatus.SUCCEEDED, PowerState.NOT_FOUND);
    await().atMost(WAIT).until(() -> states(vmId).contains(VmState.DELETED));
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.all().stream()
                    .anyMatch(
                        r ->
                            r.topic().equals(Topics.STATE)
                                && vmId.equals(r.key())
                                && r.isTombstone()));
  }

  @Test
  void aRecordThatIsNotACommandGoesToTheDeadLetterTopicAndTheNextOneIsHandled() {
    String vmId = newVm();
    publisher.sendRaw(Topics.COMMANDS, vmId, "{not json");
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.all().stream()
                    .anyMatch(
                        r ->
                            r.topic().equals(Topics.dlq(Topics.COMMANDS)) && vmId.equals(r.key())));
    command(vmId, "op-" + vmId, CommandType.CREATE);
    awaitTask(vmId, TaskAction.CREATE);
  }
}
