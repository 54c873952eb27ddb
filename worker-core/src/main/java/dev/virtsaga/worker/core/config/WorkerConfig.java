package dev.virtsaga.worker.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The task runtime's settings, {@code virtsaga.worker.*}. */
@ConfigMapping(prefix = "virtsaga.worker")
public interface WorkerConfig {

  /**
   * The provider this worker serves ({@code libvirt}, …): must equal the adapter's {@code name()};
   * tasks for another provider are dead-lettered.
   */
  String provider();

  /**
   * CloudEvents {@code source} of the events sent; default {@code urn:virtsaga:worker:<provider>}.
   */
  Optional<String> source();

  /** How often describe is polled while waiting for a graceful shutdown or a provider task. */
  @WithDefault("500ms")
  Duration pollInterval();

  /**
   * How long a power-on or resume waits for the guest to report an IP (a VM is RUNNING with its
   * address); 0, the default, does not wait. After the wait the VM is reported without one.
   */
  @WithDefault("0s")
  Duration guestIpWait();

  /** The longest one task may run, even when its deadline is further away. */
  @WithDefault("10m")
  Duration maxTaskDuration();

  /** Tasks accepted but not yet finished, across all VMs; the consumer waits beyond that. */
  @WithDefault("256")
  int maxInFlight();

  /** How often the worker publishes its provider's capabilities and health. */
  @WithDefault("15s")
  Duration statusInterval();

  /**
   * The worker's HTTP base URL as the gateway calls it for reads from the hypervisor (disk info);
   * default: this process on the loopback address at its HTTP port. A worker behind a Service or on
   * a random port sets it.
   */
  Optional<String> advertisedUrl();

  /** How long the provider's health check may take before it counts as unreachable. */
  @WithDefault("5s")
  Duration healthTimeout();

  /** How often sending one task event is retried (with backoff) before the send is retried anew. */
  @WithDefault("5")
  int sendRetries();

  /** The memory of finished tasks that answers redeliveries. */
  CompletedCache completedCache();

  /** Outcomes of finished tasks, by idempotency key and attempt. */
  interface CompletedCache {
    /** How many outcomes are kept (oldest evicted first). */
    @WithDefault("10000")
    int size();

    /** How long an outcome is kept. */
    @WithDefault("15m")
    Duration ttl();
  }
}
