package dev.virtsaga.orchestrator.saga;

import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.orchestrator.Vm;
import java.util.List;

/**
 * What the saga engine decided: the VM's new version (null when nothing changed), VMs the decision
 * brings into being (a finished clone), the tasks to send to workers and the lifecycle events to
 * publish — all written in one transaction.
 */
public record Decision(
    Vm vm, List<Vm> created, List<TaskRequested> tasks, List<LifecycleEvent> events) {
  public Decision {
    created = List.copyOf(created);
    tasks = List.copyOf(tasks);
    events = List.copyOf(events);
  }

  public Decision(Vm vm, List<TaskRequested> tasks, List<LifecycleEvent> events) {
    this(vm, List.of(), tasks, events);
  }

  public static Decision none() {
    return new Decision(null, List.of(), List.of());
  }

  public boolean changed() {
    return vm != null;
  }
}
