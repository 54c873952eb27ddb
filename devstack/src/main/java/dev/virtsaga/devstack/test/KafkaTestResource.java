package dev.virtsaga.devstack.test;

import dev.virtsaga.devstack.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the real Kafka broker shared by the whole test JVM ({@link
 * KafkaBroker#shared()}), where every topic of the system already exists:
 *
 * <pre>{@code
 * @QuarkusTest
 * @WithTestResource(KafkaTestResource.class)
 * class CommandConsumerTest { ... }
 * }</pre>
 *
 * <p>Plain JUnit tests (and tests that run packaged services) use {@link #bootstrapServers()}. The
 * broker outlives each test: it is stopped when the JVM exits, so tests must not rely on empty
 * topics (use fresh keys or consumer groups).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

  /** {@code host:port} of the shared broker, starting it on first use. */
  public static String bootstrapServers() {
    return KafkaBroker.shared().bootstrapServers();
  }

  @Override
  public Map<String, String> start() {
    String servers = bootstrapServers();
    return Map.of(
        "kafka.bootstrap.servers", servers,
        "mp.messaging.connector.smallrye-kafka.bootstrap.servers", servers);
  }

  @Override
  public void stop() {
    // The shared broker lives as long as the JVM; its shutdown hook stops it.
  }
}
