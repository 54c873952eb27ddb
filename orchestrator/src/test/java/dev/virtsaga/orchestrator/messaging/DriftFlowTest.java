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
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.AdoptArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.orchestrator.saga.DriftEngine;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drift handling against a real Kafka broker and a real PostgreSQL, with the test playing the
 * gateway (adopt commands), the watcher (observations) and the worker (task events). VMs are
 * adopted on the kubevirt and vsphere providers, so the provider-wide health events touch no VM of
 * the other tests.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class DriftFlowTest {
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
                Topics.tasks("kubevirt"),
                Topics.dlq(Topics.OBSERVATIONS)),
            false);
    publisher = new EventPublisher(kafka);
  }

  @AfterAll
  static void disconnect() {
    recorder.close();
    publisher.close();
  }

  /** A running VM the watcher found, adopted through the command topic. */
  private static String adopted(String provider, DriftPolicy policy) {
    String vmId = "vm-" + UUID.randomUUID();
    VmSpec spec =
        new VmSpec("found", provider, 1, 256, 0, null, null, null, null).withDriftPolicy(policy);
    VmCommand cmd =
        new VmCommand(
            "op-adopt-" + vmId,
            vmId,
            "t1",
            CommandType.ADOPT,
            Instant.now(),
            spec,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new AdoptArgs(PowerState.ON, "ref-" + vmId, List.of("10.0.0.5")));
    publisher.send(Topics.COMMANDS, vmId, CloudEvent.of("/test/gateway", vmId, cmd, Map.of()));
    await().atMost(WAIT).until(() -> states(vmId).contains(VmState.RUNNING));
    return vmId;
  }

  private static void observe(String vmId, String provider, PowerState power) {
    VmObserved.Kind kind =
        power == PowerState.NOT_FOUND ? VmObserved.Kind.DELETED : VmObserved.Kind.MODIFIED;
    watcher(
        vmId,
        new VmObserved(vmId, provider, kind, power, Instant.now(), "rv", null, null, null, null));
  }

  private static void watcher(String key, Observation o) {
    publisher.send(Topics.OBSERVATIONS, key, CloudEvent.of("/test/watcher", key, o, Map.of()));
  }

  private static List<VmState> states(String vmId) {
    return recorder.payloads(vmId, StateChanged.class).stream().map(StateChanged::to).toList();
  }

  private static Optional<StateChanged> stateChange(String vmId, VmState to) {
    return recorder.payloads(vmId, StateChanged.class).stream()
        .filter(s -> s.to() == to)
        .findFirst();
  }

  private static VmSnapshot lastSnapshot(String vmId) {
    List<VmSnapshot> all = recorder.payloads(vmId, VmSnapshot.class);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  @Test
  void adoptTheStateFollowsTheHypervisorAndAVanishedVmFails() {
    String vmId = adopted("kubevirt", null);
    // a sighting equal to what is stored writes nothing; the next one drifts
    observe(vmId, "kubevirt", PowerState.ON);
    observe(vmId, "kubevirt", PowerState.OFF);
    StateChanged stopped =
        await()
            .atMost(WAIT)
            .until(() -> stateChange(vmId, VmState.STOPPED), Optional::isPresent)
            .get();
    assertThat(stopped.from()).isEqualTo(VmState.RUNNING);
    assertThat(stopped.reason()).isEqualTo(DriftEngine.DRIFT);
    assertThat(recorder.payloads(vmId, PowerDrifted.class))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.policy()).isEqualTo(DriftPolicy.ADOPT);
              assertThat(d.expected()).isEqualTo(PowerState.ON);
              assertThat(d.observed()).isEqualTo(PowerState.OFF);
              assertThat(d.operationId()).isNull();
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(recorder.payloads(vmId, VmSnapshot.class))
                    .extracting(VmSnapshot::state)
                    .containsExactly(VmState.RUNNING, VmState.STOPPED));
    // When the VM disappears from the provider, Then it is FAILED, reason VANISHED
    observe(vmId, "kubevirt", PowerState.NOT_FOUND);
    StateChanged failed =
        await()
            .atMost(WAIT)
            .until(() -> stateChange(vmId, VmState.FAILED), Optional::isPresent)
            .get();
    assertThat(failed.reason()).isEqualTo(DriftEngine.VANISHED);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(lastSnapshot(vmId))
                    .satisfies(
                        s -> {
                          assertThat(s.state()).isEqualTo(VmState.FAILED);
                          assertThat(s.observedPower()).isEqualTo(PowerState.NOT_FOUND);
                          assertThat(s.lastError().message()).contains("vanished");
                        }));
    for (CloudEvent e : recorder.events(r -> vmId.equals(r.key()))) {
      assertThat(EventSchemas.validate(e.type(), e.data())).as(e.type()).isEmpty();
    }
  }

  @Test
  void enforceACorrectiveOperationPowersTheVmBackOn() {
    String vmId = adopted("kubevirt", DriftPolicy.ENFORCE);
    observe(vmId, "kubevirt", PowerState.OFF);
    PowerDrifted drift =
        await()
            .atMost(WAIT)
            .until(() -> recorder.payloads(vmId, PowerDrifted.class), l -> !l.isEmpty())
            .get(0);
    assertThat(drift.policy()).isEqualTo(DriftPolicy.ENFORCE);
    assertThat(drift.operationId()).isNotNull();
    TaskRequested start =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    recorder.payloads(vmId, TaskRequested.class).stream()
                        .filter(t -> t.action() == TaskAction.POWER_ON)
                        .findFirst(),
                Optional::isPresent)
            .get();
    assertThat(start.operationId()).isEqualTo(drift.operationId());
    publisher.send(
        Topics.TASK_EVENTS,
        vmId,
        CloudEvent.of(
            "/test/worker",
            vmId,
            TaskEvent.reporting(
                start, TaskStatus.SUCCEEDED, Instant.now(), null, null, PowerState.ON, null, null),
            Map.of()));
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.payloads(vmId, OperationSucceeded.class).stream()
                    .anyMatch(s -> s.operationId().equals(drift.operationId())));
    assertThat(states(vmId))
        .containsExactly(VmState.RUNNING, VmState.STOPPED, VmState.STARTING, VmState.RUNNING);
  }

  @Test
  void anUnreachableProviderMarksItsVmsWithoutChangingTheirState() {
    String vmId = adopted("vsphere", null);
    watcher(
        "vsphere",
        new ProviderHealthChanged(
            "vsphere", ProviderHealth.UNREACHABLE, "connection refused", Instant.now()));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(lastSnapshot(vmId))
                    .satisfies(
                        s -> {
                          assertThat(s.state()).isEqualTo(VmState.RUNNING);
                          assertThat(s.conditions())
                              .singleElement()
                              .satisfies(
                                  c -> {
                                    assertThat(c.type()).isEqualTo(DriftEngine.PROVIDER_REACHABLE);
                                    assertThat(c.status()).isFalse();
                                    assertThat(c.reason()).isEqualTo(DriftEngine.UNREACHABLE);
                                    assertThat(c.message()).isEqualTo("connection refused");
                                  });
                        }));
    watcher(
        "vsphere",
        new ProviderHealthChanged("vsphere", ProviderHealth.HEALTHY, null, Instant.now()));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(lastSnapshot(vmId))
                    .satisfies(
                        s -> {
                          assertThat(s.state()).isEqualTo(VmState.RUNNING);
                          assertThat(s.conditions())
                              .singleElement()
                              .satisfies(
                                  c -> {
                                    assertThat(c.type()).isEqualTo(DriftEngine.PROVIDER_REACHABLE);
                                    assertThat(c.status()).isTrue();
                                  });
                        }));
    // the state never changed
    assertThat(states(vmId)).containsExactly(VmState.RUNNING);
  }

  @Test
  void aRecordThatIsNotAnObservationGoesToTheDeadLetterTopic() {
    String vmId = "vm-" + UUID.randomUUID();
    publisher.sendRaw(Topics.OBSERVATIONS, vmId, "{not json");
    await()
        .atMost(WAIT)
        .until(
            () ->
                recorder.all().stream()
                    .anyMatch(
                        r ->
                            r.topic().equals(Topics.dlq(Topics.OBSERVATIONS))
                                && vmId.equals(r.key())));
    // an observation of a VM nobody knows is ignored, and the consumer goes on
    observe(vmId, "kubevirt", PowerState.ON);
    String known = adopted("kubevirt", null);
    observe(known, "kubevirt", PowerState.PAUSED);
    await().atMost(WAIT).until(() -> stateChange(known, VmState.SUSPENDED).isPresent());
    assertThat(recorder.events(r -> vmId.equals(r.key()) && !r.topic().endsWith(".dlq"))).isEmpty();
  }
}
