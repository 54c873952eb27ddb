package dev.virtsaga.gateway;

import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.test.EventRecorder;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.command.VmCommand;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the gateway published on {@code vm.commands.v1}, read with a plain Kafka consumer.
 *
 * <p>{@link #flush()} makes "nothing (more) was published" checkable: it writes a marker to every
 * partition and waits until all markers are read. The gateway answers only after Kafka acknowledged
 * its command, so every command of a request answered before the flush precedes a marker in its
 * partition and has been read once the flush returns.
 */
final class CommandLog implements AutoCloseable {
  private static final String MARKER = "test-marker";

  private final EventRecorder recorder;
  private final KafkaProducer<String, String> producer;

  private CommandLog(EventRecorder recorder, KafkaProducer<String, String> producer) {
    this.recorder = recorder;
    this.producer = producer;
  }

  static CommandLog start() {
    String bootstrap = KafkaTestResource.bootstrapServers();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new CommandLog(
        EventRecorder.start(bootstrap, List.of(Topics.COMMANDS), false), new KafkaProducer<>(p));
  }

  /** Waits until everything acknowledged so far on the topic has been read. */
  void flush() {
    String id = UUID.randomUUID().toString();
    try {
      for (int partition = 0; partition < Topics.PARTITIONS; partition++) {
        producer
            .send(new ProducerRecord<>(Topics.COMMANDS, partition, MARKER, id))
            .get(30, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("cannot write flush markers", e);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                recorder.all().stream()
                        .filter(r -> MARKER.equals(r.key()) && id.equals(r.rawValue()))
                        .count()
                    == Topics.PARTITIONS);
  }

  /** The command events published for a tenant, in the order read. */
  List<CloudEvent> events(String tenantId) {
    return recorder.events(
        r ->
            r.event() != null
                && EventCatalog.VM_COMMAND.equals(r.event().type())
                && tenantId.equals(r.event().extension(CloudEvent.EXT_TENANT_ID)));
  }

  List<VmCommand> commands(String tenantId) {
    return events(tenantId).stream().map(e -> e.payload(VmCommand.class)).toList();
  }

  /** The records read for a key (the vmId), CloudEvents or not. */
  List<EventRecorder.Recorded> records(String key) {
    return recorder.all().stream().filter(r -> key.equals(r.key())).toList();
  }

  @Override
  public void close() {
    recorder.close();
    producer.close();
  }
}
