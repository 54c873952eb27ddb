package dev.virtsaga.devstack.test;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes CloudEvents (or raw records) the way services do, for tests playing a service. */
public final class EventPublisher implements AutoCloseable {
  private final KafkaProducer<String, String> producer;

  public EventPublisher(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producer = new KafkaProducer<>(p);
  }

  /** Sends a CloudEvent in binary mode and waits for the broker's ack. */
  public void send(String topic, String key, CloudEvent event) {
    ProducerRecord<String, String> r =
        new ProducerRecord<>(topic, null, key, event.data(), KafkaCloudEvents.toHeaders(event));
    await(r);
  }

  /** Sends a raw record (no CloudEvents headers), e.g. garbage for dead-letter tests. */
  public void sendRaw(String topic, String key, String value) {
    await(new ProducerRecord<>(topic, key, value));
  }

  private void await(ProducerRecord<String, String> r) {
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not publish to " + r.topic(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
