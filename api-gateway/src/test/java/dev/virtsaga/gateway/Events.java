package dev.virtsaga.gateway;

import dev.virtsaga.devstack.test.EventPublisher;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.VmSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.utils.Utils;

/** Plays the orchestrator in tests: publishes snapshots and lifecycle events as it would. */
final class Events implements AutoCloseable {
  static final String SOURCE = "/virtsaga/orchestrator";
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  private final EventPublisher publisher = new EventPublisher(KafkaTestResource.bootstrapServers());

  static VmSpec spec(String name) {
    return new VmSpec(name, "libvirt", 2, 512, 1, null, Map.of("team", "a"));
  }

  /** A snapshot of a stable VM (no operation). */
  static VmSnapshot snapshot(
      String vmId, String tenantId, String name, VmState state, long version) {
    return new VmSnapshot(
        vmId,
        tenantId,
        spec(name),
        state,
        state == VmState.RUNNING ? PowerState.ON : PowerState.OFF,
        List.of(),
        version,
        T0,
        T0.plusSeconds(version),
        null,
        null,
        "dom-" + vmId,
        List.of("10.0.0.5"),
        null);
  }

  /**
   * A snapshot of any VM: its own spec (provider, host), an operation in flight or none, its
   * snapshots.
   */
  static VmSnapshot vm(
      String vmId,
      String tenantId,
      VmSpec spec,
      VmState state,
      long version,
      OperationView operation,
      List<SnapshotView> snapshots) {
    return new VmSnapshot(
        vmId,
        tenantId,
        spec,
        state,
        state == VmState.STOPPED ? PowerState.OFF : PowerState.ON,
        List.of(),
        version,
        T0,
        T0.plusSeconds(version),
        operation,
        operation == null ? null : operation.id(),
        "dom-" + vmId,
        List.of(),
        null,
        snapshots);
  }

  /** The same snapshot with an operation in flight. */
  static VmSnapshot withOperation(VmSnapshot s, String operationId, CommandType type) {
    return new VmSnapshot(
        s.vmId(),
        s.tenantId(),
        s.spec(),
        s.state(),
        s.observedPower(),
        s.conditions(),
        s.version(),
        s.createdAt(),
        s.updatedAt(),
        new OperationView(operationId, type, "power", 1, T0.plusSeconds(60), T0),
        operationId,
        s.providerRef(),
        s.ips(),
        s.lastError());
  }

  /**
   * A fresh VM id whose records land in the same partition as {@code vmId}'s (Kafka's default
   * partitioner), so a record for it is read after everything published for {@code vmId} before.
   */
  static String samePartitionAs(String vmId) {
    int partition = partition(vmId);
    while (true) {
      String candidate = UUID.randomUUID().toString();
      if (partition(candidate) == partition) {
        return candidate;
      }
    }
  }

  private static int partition(String key) {
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8)))
        % Topics.PARTITIONS;
  }

  void snapshot(VmSnapshot s) {
    publisher.send(
        Topics.STATE,
        s.vmId(),
        CloudEvent.of(
            SOURCE,
            s.vmId(),
            s,
            s.tenantId() == null ? Map.of() : Map.of(CloudEvent.EXT_TENANT_ID, s.tenantId())));
  }

  /** A worker's declaration of its provider on vm.providers.v1. */
  void provider(ProviderStatus status) {
    publisher.send(
        Topics.PROVIDERS,
        status.provider(),
        CloudEvent.of("/test/worker", status.provider(), status, Map.of()));
  }

  /** The watcher's report of a VM on vm.observations.v1, keyed by vmId. */
  void observed(VmObserved o) {
    publisher.send(
        Topics.OBSERVATIONS,
        o.vmId(),
        CloudEvent.of(
            "/virtsaga/watcher", o.vmId(), o, Map.of(CloudEvent.EXT_PROVIDER, o.provider())));
  }

  /** Another observation (relist, circuit, health) on vm.observations.v1, under a given key. */
  void observation(String key, Observation o) {
    publisher.send(
        Topics.OBSERVATIONS,
        key,
        CloudEvent.of(
            "/virtsaga/watcher", o.provider(), o, Map.of(CloudEvent.EXT_PROVIDER, o.provider())));
  }

  /** A record without CloudEvents headers. */
  void raw(String topic, String key, String value) {
    publisher.sendRaw(topic, key, value);
  }

  void tombstone(String vmId) {
    publisher.sendRaw(Topics.STATE, vmId, null);
  }

  void lifecycle(String tenantId, LifecycleEvent e) {
    publisher.send(
        Topics.LIFECYCLE,
        e.vmId(),
        CloudEvent.of(SOURCE, e.vmId(), e, Map.of(CloudEvent.EXT_TENANT_ID, tenantId)));
  }

  @Override
  public void close() {
    publisher.close();
  }
}
