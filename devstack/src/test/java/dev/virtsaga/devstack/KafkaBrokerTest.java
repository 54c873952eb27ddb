package dev.virtsaga.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.events.Topics;
import dev.virtsaga.events.Topics.TopicSpec;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaBrokerTest {

  private static KafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void sharedBrokerIsOneInstancePerJvm() {
    assertThat(KafkaBroker.shared()).isSameAs(broker);
    assertThat(broker.isRunning()).isTrue();
    assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
  }

  @Test
  void sharedBrokerIsSharedAcrossClassLoadersAsQuarkusTestsNeed() throws Exception {
    // Given devstack loaded a second time, by another class loader (as Quarkus does per test app)
    List<URL> urls = new ArrayList<>();
    for (Class<?> c : List.of(KafkaBroker.class, Topics.class, Admin.class, LoggerFactory.class)) {
      urls.add(c.getProtectionDomain().getCodeSource().getLocation());
    }
    try (URLClassLoader other =
        new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      Class<?> otherBroker = other.loadClass(KafkaBroker.class.getName());
      assertThat(otherBroker).isNotSameAs(KafkaBroker.class);

      // When it asks for the shared broker, Then it gets the running one, not a second broker
      Object attached = otherBroker.getMethod("shared").invoke(null);
      assertThat(otherBroker.getMethod("bootstrapServers").invoke(attached))
          .isEqualTo(broker.bootstrapServers());
      assertThat(attached.toString()).contains("attached");
    }
  }

  @Test
  void testResourceHandsTheBrokerToQuarkus() {
    var resource = new KafkaTestResource();
    assertThat(resource.start())
        .containsEntry("kafka.bootstrap.servers", broker.bootstrapServers())
        .containsEntry(
            "mp.messaging.connector.smallrye-kafka.bootstrap.servers", broker.bootstrapServers());
    resource.stop();
    assertThat(broker.isRunning()).isTrue();
    assertThat(KafkaTestResource.bootstrapServers()).isEqualTo(broker.bootstrapServers());
  }

  @Test
  void everyTopicOfTheSystemExistsWithItsPartitions() throws Exception {
    try (Admin admin = admin()) {
      Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<String> expected = Topics.all().stream().map(TopicSpec::name).toList();
      assertThat(names).containsAll(expected);

      var described = admin.describeTopics(expected).allTopicNames().get(10, TimeUnit.SECONDS);
      for (TopicSpec spec : Topics.all()) {
        assertThat(described.get(spec.name()).partitions())
            .as("partitions of %s", spec.name())
            .hasSize(spec.partitions());
      }
    }
  }

  @Test
  void stateTopicIsCompacted() throws Exception {
    ConfigResource state = new ConfigResource(ConfigResource.Type.TOPIC, Topics.STATE);
    try (Admin admin = admin()) {
      var config = admin.describeConfigs(List.of(state)).all().get(10, TimeUnit.SECONDS).get(state);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
    }
  }

  @Test
  void recordProducedIsConsumedWithKeyValueAndHeaders() throws Exception {
    // Given a record keyed by a fresh vmId on the command topic
    String vmId = UUID.randomUUID().toString();
    RecordMetadata sent;
    try (KafkaProducer<String, String> producer = producer()) {
      ProducerRecord<String, String> record =
          new ProducerRecord<>(Topics.COMMANDS, vmId, "{\"hello\":\"kafka\"}");
      record.headers().add("ce_type", "dev.virtsaga.test.v1".getBytes());
      // When it is sent with acks=all
      sent = producer.send(record).get(10, TimeUnit.SECONDS);
    }

    // Then a consumer of that partition reads it back from the acknowledged offset
    try (KafkaConsumer<String, String> consumer = consumer()) {
      var partition = new TopicPartition(Topics.COMMANDS, sent.partition());
      consumer.assign(List.of(partition));
      consumer.seek(partition, sent.offset());
      List<ConsumerRecord<String, String>> received = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
              });
      ConsumerRecord<String, String> first = received.get(0);
      assertThat(first.key()).isEqualTo(vmId);
      assertThat(first.value()).isEqualTo("{\"hello\":\"kafka\"}");
      assertThat(new String(first.headers().lastHeader("ce_type").value()))
          .isEqualTo("dev.virtsaga.test.v1");
    }
  }

  @Test
  void consumerGroupGetsPartitionsWithoutRebalanceDelay() {
    // Given a topic created on the fly (auto-create is on) and a record in it
    String topic = "devstack.test." + UUID.randomUUID();
    broker.createTopics(List.of(new TopicSpec(topic, 1, Map.of())));
    try (KafkaProducer<String, String> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, "k", "v"));
    }

    // When a consumer group subscribes, Then it reads the record quickly
    Properties props = consumerProps();
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "devstack-test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      List<String> values = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return !values.isEmpty();
              });
      assertThat(values).containsExactly("v");
    }
  }

  @Test
  void creatingExistingTopicsAgainIsFine() {
    assertThatCode(() -> broker.createTopics(Topics.all())).doesNotThrowAnyException();
  }

  private static Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    return Admin.create(props);
  }

  private static KafkaProducer<String, String> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  private static KafkaConsumer<String, String> consumer() {
    return new KafkaConsumer<>(consumerProps());
  }

  private static Properties consumerProps() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return props;
  }
}
