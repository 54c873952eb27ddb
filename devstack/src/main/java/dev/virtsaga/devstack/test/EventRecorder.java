package dev.virtsaga.devstack.test;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Records every record of some topics from the moment it starts (or from the beginning) in a
 * background thread, for tests that check what services publish. Records that are not CloudEvents
 * (tombstones, garbage) are kept as raw records too.
 */
public final class EventRecorder implements AutoCloseable {

  /**
   * One recorded record: its topic, key, the CloudEvent (null for tombstones/garbage), and when
   * Kafka stamped it and this recorder received it (for tests that report latencies).
   */
  public record Recorded(
      String topic,
      String key,
      CloudEvent event,
      String rawValue,
      Instant timestamp,
      Instant receivedAt) {
    public boolean isTombstone() {
      return rawValue == null;
    }
  }

  private final List<Recorded> records = new CopyOnWriteArrayList<>();
  private final KafkaConsumer<String, String> consumer;
  private final Thread thread;
  private volatile boolean running = true;

  private EventRecorder(String bootstrap, Collection<String> topics, boolean fromBeginning) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "recorder-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumer = new KafkaConsumer<>(p);
    consumer.subscribe(List.copyOf(topics));
    thread = new Thread(this::poll, "event-recorder");
    thread.setDaemon(true);
  }

  /**
   * Starts recording; returns once partitions are assigned, so nothing published afterwards is
   * missed.
   */
  public static EventRecorder start(
      String bootstrap, Collection<String> topics, boolean fromBeginning) {
    EventRecorder r = new EventRecorder(bootstrap, topics, fromBeginning);
    synchronized (r.consumer) {
      long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (r.consumer.assignment().isEmpty() && System.nanoTime() < until) {
        r.consumer.poll(Duration.ofMillis(100)).forEach(r::add);
      }
      if (r.consumer.assignment().isEmpty()) {
        throw new IllegalStateException("no partitions assigned for " + topics);
      }
      // make "latest" concrete now, before anything is published
      r.consumer.assignment().forEach(r.consumer::position);
    }
    r.thread.start();
    return r;
  }

  private void poll() {
    while (running) {
      try {
        synchronized (consumer) {
          consumer.poll(Duration.ofMillis(50)).forEach(this::add);
        }
      } catch (org.apache.kafka.common.errors.WakeupException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          throw e;
        }
      }
    }
  }

  private void add(ConsumerRecord<String, String> r) {
    CloudEvent event = null;
    if (r.value() != null) {
      try {
        event = KafkaCloudEvents.fromRecord(r.headers(), r.value());
      } catch (MalformedEventException e) {
        event = null;
      }
    }
    records.add(
        new Recorded(
            r.topic(),
            r.key(),
            event,
            r.value(),
            Instant.ofEpochMilli(r.timestamp()),
            Instant.now()));
  }

  /** Everything recorded so far, in arrival order. */
  public List<Recorded> all() {
    return new ArrayList<>(records);
  }

  /** The CloudEvents recorded so far that match. */
  public List<CloudEvent> events(Predicate<Recorded> filter) {
    return records.stream()
        .filter(filter)
        .filter(r -> r.event() != null)
        .map(Recorded::event)
        .toList();
  }

  /** Payloads of one record class, in order, for one key. */
  public <T> List<T> payloads(String key, Class<T> type) {
    return records.stream()
        .filter(r -> r.event() != null && key.equals(r.key()))
        .map(r -> r.event().payload())
        .filter(type::isInstance)
        .map(type::cast)
        .toList();
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (consumer) {
      consumer.close(Duration.ofSeconds(2));
    }
  }
}
