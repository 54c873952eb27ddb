package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.LifecycleNotice;
import dev.virtsaga.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fans lifecycle events out to SSE subscribers. Publishing never blocks: each subscriber has its
 * own bounded buffer, and one that overflows it is cut off (and may reconnect) instead of slowing
 * the Kafka consumer or the other subscribers.
 */
@ApplicationScoped
public class LifecycleBroadcaster {
  private final BroadcastProcessor<LifecycleNotice> processor = BroadcastProcessor.create();
  private final AtomicInteger subscribers = new AtomicInteger();
  private final GatewayConfig config;

  public LifecycleBroadcaster(GatewayConfig config) {
    this.config = config;
  }

  public void publish(LifecycleNotice notice) {
    processor.onNext(notice);
  }

  /**
   * The events of a tenant's VMs from now on.
   *
   * @param vmId only this VM's events, when not {@code null}
   */
  public Multi<LifecycleNotice> subscribe(String tenantId, String vmId) {
    return processor
        .filter(n -> tenantId.equals(n.tenantId()))
        .filter(n -> vmId == null || vmId.equals(n.vmId()))
        .onOverflow()
        .buffer(config.events().subscriberBuffer())
        .onSubscription()
        .invoke(subscribers::incrementAndGet)
        .onTermination()
        .invoke(subscribers::decrementAndGet);
  }

  public int subscribers() {
    return subscribers.get();
  }
}
