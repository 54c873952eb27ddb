package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.gateway.CommandNotPublishedException;
import dev.virtsaga.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Publishes commands to {@code vm.commands.v1} as CloudEvents (Kafka binary mode), keyed by vmId.
 * The returned {@code Uni} completes when Kafka acknowledged the record, and fails with {@link
 * CommandNotPublishedException} when it did not.
 */
@ApplicationScoped
public class CommandPublisher {
  private static final Logger LOG = Logger.getLogger(CommandPublisher.class);

  private final MutinyEmitter<String> emitter;
  private final GatewayConfig config;

  public CommandPublisher(
      @Channel(Channels.COMMANDS) MutinyEmitter<String> emitter, GatewayConfig config) {
    this.emitter = emitter;
    this.config = config;
  }

  public Uni<Void> publish(VmCommand command) {
    Map<String, String> extensions = new HashMap<>();
    extensions.put(CloudEvent.EXT_OPERATION_ID, command.operationId());
    extensions.put(CloudEvent.EXT_TENANT_ID, command.tenantId());
    if (command.requestId() != null) {
      extensions.put(CloudEvent.EXT_REQUEST_ID, command.requestId());
    }
    CloudEvent event = CloudEvent.of(config.eventSource(), command.vmId(), command, extensions);
    Message<String> message =
        Message.of(event.data())
            .addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder()
                    .withKey(command.vmId())
                    .withHeaders(KafkaCloudEvents.toHeaders(event))
                    .build());
    return Uni.createFrom()
        .deferred(() -> emitter.sendMessage(message))
        .invoke(
            () ->
                LOG.debugf(
                    "published %s vmId=%s operationId=%s",
                    command.type(), command.vmId(), command.operationId()))
        .onFailure()
        .transform(e -> new CommandNotPublishedException(command.operationId(), e));
  }
}
