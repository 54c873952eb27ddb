package dev.virtsaga.orchestrator.repository;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.mapping.VmMapper;
import dev.virtsaga.orchestrator.saga.Decision;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what a decision publishes into the outbox, in the decision's transaction: tasks to the
 * provider's task topic, lifecycle events, and the VM's new snapshot (plus a tombstone once it is
 * deleted) to the compacted state topic.
 */
@ApplicationScoped
public class Outbox {
  public static final String SOURCE = "/virtsaga/orchestrator";

  public Uni<Void> append(Vm before, Decision d) {
    List<OutboxEntity> rows = new ArrayList<>();
    Vm vm = d.changed() ? d.vm() : before;
    for (LifecycleEvent e : d.events()) {
      Vm owner = d.created().stream().filter(c -> c.id().equals(e.vmId())).findFirst().orElse(vm);
      rows.add(row(Topics.LIFECYCLE, e.vmId(), e, extensions(owner, e.operationId())));
    }
    for (TaskRequested t : d.tasks()) {
      rows.add(row(Topics.tasks(t.provider()), t.vmId(), t, extensions(vm, t.operationId())));
    }
    if (d.changed()) {
      rows.add(
          row(
              Topics.STATE,
              vm.id(),
              VmMapper.toSnapshot(vm),
              extensions(vm, vm.lastOperationId())));
      if (vm.state() == VmState.DELETED) {
        OutboxEntity tombstone = new OutboxEntity();
        tombstone.topic = Topics.STATE;
        tombstone.recordKey = vm.id();
        rows.add(tombstone);
      }
    }
    for (Vm c : d.created()) {
      rows.add(
          row(Topics.STATE, c.id(), VmMapper.toSnapshot(c), extensions(c, c.lastOperationId())));
    }
    if (rows.isEmpty()) {
      return Uni.createFrom().voidItem();
    }
    return OutboxEntity.persist(rows);
  }

  private static OutboxEntity row(
      String topic, String key, Object payload, Map<String, String> ext) {
    CloudEvent ce = CloudEvent.of(SOURCE, key, payload, ext);
    OutboxEntity row = new OutboxEntity();
    row.topic = topic;
    row.recordKey = key;
    row.ceId = ce.id();
    row.ceType = ce.type();
    row.ceTime = ce.time();
    row.ceExtensions = Json.write(ce.extensions());
    row.data = ce.data();
    return row;
  }

  private static Map<String, String> extensions(Vm vm, String operationId) {
    Map<String, String> ext = new HashMap<>();
    if (vm != null) {
      ext.put(CloudEvent.EXT_SEQUENCE, Long.toString(vm.version()));
      ext.put(CloudEvent.EXT_PROVIDER, vm.provider());
      if (vm.tenantId() != null) {
        ext.put(CloudEvent.EXT_TENANT_ID, vm.tenantId());
      }
    }
    if (operationId != null) {
      ext.put(CloudEvent.EXT_OPERATION_ID, operationId);
    }
    return ext;
  }
}
