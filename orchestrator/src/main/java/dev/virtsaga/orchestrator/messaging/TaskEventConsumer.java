package dev.virtsaga.orchestrator.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.orchestrator.service.VmService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Consumes the workers' reports on {@code vm.task-events.v1}. */
@ApplicationScoped
public class TaskEventConsumer {
  private final VmService service;
  private final Inbound inbound;

  public TaskEventConsumer(VmService service, Inbound inbound) {
    this.service = service;
    this.inbound = inbound;
  }

  @Incoming(Channels.TASK_EVENTS)
  public Uni<Void> consume(ConsumerRecord<String, String> record) {
    CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
    TaskEvent ev = event.payload(TaskEvent.class);
    if (ev.vmId() == null || ev.operationId() == null || ev.status() == null || ev.step() == null) {
      throw new MalformedEventException(
          "task event " + event.id() + " lacks vmId, operationId, step or status");
    }
    return inbound.handle("task event " + event.id(), () -> service.onTaskEvent(event.id(), ev));
  }
}
