package dev.virtsaga.orchestrator.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.orchestrator.service.VmService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code vm.commands.v1}. The record is acknowledged only after the transaction that
 * handled it committed; a record that is not a valid command goes to the dead-letter topic.
 */
@ApplicationScoped
public class CommandConsumer {
  private final VmService service;
  private final Inbound inbound;

  public CommandConsumer(VmService service, Inbound inbound) {
    this.service = service;
    this.inbound = inbound;
  }

  @Incoming(Channels.COMMANDS)
  public Uni<Void> consume(ConsumerRecord<String, String> record) {
    CloudEvent event = KafkaCloudEvents.fromRecord(record.headers(), record.value());
    VmCommand cmd = event.payload(VmCommand.class);
    if (cmd.vmId() == null || cmd.operationId() == null || cmd.type() == null) {
      throw new MalformedEventException(
          "command " + event.id() + " lacks vmId, operationId or type");
    }
    if (record.key() != null && !record.key().equals(cmd.vmId())) {
      throw new MalformedEventException(
          "command " + event.id() + " is keyed by " + record.key() + ", not its vmId");
    }
    return inbound.handle("command " + event.id(), () -> service.onCommand(event.id(), cmd));
  }
}
