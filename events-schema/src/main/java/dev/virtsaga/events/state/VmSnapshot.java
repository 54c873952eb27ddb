package dev.virtsaga.events.state;

import dev.virtsaga.events.Opt;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;
import java.util.List;

/**
 * The latest full picture of a VM on the compacted {@code vm.state.v1} (a tombstone follows
 * deletion). Reading the topic from the beginning gives every live VM: list + watch for Kafka
 * users.
 *
 * @param operation the operation in flight: present when the state is transitional, and while a
 *     snapshot operation runs on a stable VM (which then carries the {@code Locked} condition)
 * @param lastOperationId the most recent operation, finished or not
 * @param lastError why the last operation failed, if it did
 * @param snapshots the VM's snapshots, oldest first
 */
public record VmSnapshot(
    String vmId,
    String tenantId,
    VmSpec spec,
    VmState state,
    PowerState observedPower,
    List<Condition> conditions,
    long version,
    Instant createdAt,
    Instant updatedAt,
    @Opt OperationView operation,
    @Opt String lastOperationId,
    @Opt String providerRef,
    @Opt List<String> ips,
    @Opt TaskError lastError,
    @Opt List<SnapshotView> snapshots) {

  /** A snapshot of a VM without snapshots. */
  public VmSnapshot(
      String vmId,
      String tenantId,
      VmSpec spec,
      VmState state,
      PowerState observedPower,
      List<Condition> conditions,
      long version,
      Instant createdAt,
      Instant updatedAt,
      OperationView operation,
      String lastOperationId,
      String providerRef,
      List<String> ips,
      TaskError lastError) {
    this(
        vmId,
        tenantId,
        spec,
        state,
        observedPower,
        conditions,
        version,
        createdAt,
        updatedAt,
        operation,
        lastOperationId,
        providerRef,
        ips,
        lastError,
        null);
  }
}
