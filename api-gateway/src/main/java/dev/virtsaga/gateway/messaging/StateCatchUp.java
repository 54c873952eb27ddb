package dev.virtsaga.gateway.messaging;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Tells when the read model has caught up with {@code vm.state.v1}: when, for every partition, the
 * consumer has read up to the end offset the partition had when it was assigned. Until then a VM
 * missing from the read model may exist, so the gateway answers 503 rather than 404 and reports
 * itself not ready. Once caught up it stays so.
 */
@ApplicationScoped
@Default
@Identifier(StateCatchUp.NAME)
public class StateCatchUp implements KafkaConsumerRebalanceListener {
  /** Named by {@code mp.messaging.incoming.vm-state.consumer-rebalance-listener.name}. */
  public static final String NAME = "vm-state-catch-up";

  private static final Logger LOG = Logger.getLogger(StateCatchUp.class);

  private final Map<TopicPartition, Long> targets = new ConcurrentHashMap<>();
  private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
  private volatile boolean caughtUp;

  @Override
  public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (caughtUp || partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    for (TopicPartition tp : partitions) {
      positions.merge(tp, consumer.position(tp), Math::max);
      targets.put(tp, ends.getOrDefault(tp, 0L));
    }
    check();
  }

  @Override
  public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    if (!caughtUp) {
      partitions.forEach(targets::remove);
    }
  }

  /** Records that the record at {@code offset} has been applied. */
  public void applied(String topic, int partition, long offset) {
    if (!caughtUp) {
      positions.merge(new TopicPartition(topic, partition), offset + 1, Math::max);
      check();
    }
  }

  public boolean caughtUp() {
    return caughtUp;
  }

  private void check() {
    if (targets.isEmpty()) {
      return;
    }
    boolean all =
        targets.entrySet().stream()
            .allMatch(e -> positions.getOrDefault(e.getKey(), 0L) >= e.getValue());
    if (all && !caughtUp) {
      caughtUp = true;
      LOG.infof("read model caught up with %d partition(s) of vm.state", targets.size());
    }
  }
}
