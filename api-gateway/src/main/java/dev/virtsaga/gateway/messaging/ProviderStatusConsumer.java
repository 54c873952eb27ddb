package dev.virtsaga.gateway.messaging;

import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.gateway.service.ProviderRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Keeps {@link ProviderRegistry} up to date from {@code vm.providers.v1}. */
@ApplicationScoped
public class ProviderStatusConsumer {
  private static final Logger LOG = Logger.getLogger(ProviderStatusConsumer.class);

  private final ProviderRegistry registry;

  public ProviderStatusConsumer(ProviderRegistry registry) {
    this.registry = registry;
  }

  @Incoming(Channels.PROVIDERS)
  public void onRecord(ConsumerRecord<String, String> record) {
    if (record.value() == null) {
      if (record.key() != null) {
        registry.remove(record.key());
      }
      return;
    }
    try {
      ProviderStatus status =
          KafkaCloudEvents.fromRecord(record.headers(), record.value())
              .payload(ProviderStatus.class);
      if (status.provider() == null || status.capabilities() == null || status.at() == null) {
        throw new MalformedEventException("provider status lacks provider, capabilities or at");
      }
      registry.apply(status);
    } catch (MalformedEventException e) {
      LOG.warnf(
          "skipping malformed provider status %s-%d@%d: %s",
          record.topic(), record.partition(), record.offset(), e.getMessage());
    }
  }
}
