package dev.virtsaga.orchestrator.config;

import dev.virtsaga.orchestrator.saga.SagaSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the orchestrator ({@code virtsaga.orchestrator.*}). */
@ConfigMapping(prefix = "virtsaga.orchestrator")
public interface OrchestratorConfig {

  /** Step deadlines. */
  Timeouts timeouts();

  /** Retry policy for retryable provider errors. */
  Retry retry();

  /** How many due VMs the deadline sweeper handles per round. */
  @WithDefault("200")
  int sweepBatch();

  /** How many outbox records the relay sends per round. */
  @WithDefault("500")
  int relayBatch();

  /** How often the outbox relay looks for records (it is also woken after every commit). */
  @WithDefault("100ms")
  Duration relayInterval();

  /** How often the deadline sweeper looks for due deadlines and retries. */
  @WithDefault("100ms")
  Duration sweepInterval();

  /** How long processed-event ids are kept; longer than the consumed topics' retention. */
  @WithDefault("8d")
  Duration inboxRetention();

  /** Attempts of a transaction that lost an optimistic-lock race. */
  @WithDefault("8")
  int lockRetries();

  interface Timeouts {
    /** How long a provider may take to make a VM. */
    @WithDefault("10m")
    Duration provision();

    /** How long power on, forced power off and reboot may take. */
    @WithDefault("2m")
    Duration power();

    /** Default graceful-shutdown budget before a stop is forced. */
    @WithDefault("60s")
    Duration gracefulStop();

    /** How long a provider may take to delete a VM. */
    @WithDefault("5m")
    Duration delete();

    /** How long a clone or a disk export may take. */
    @WithDefault("30m")
    Duration transfer();

    /** How long a migration may take before it is cancelled. */
    @WithDefault("30m")
    Duration migration();
  }

  interface Retry {
    /** Attempts per step (1 = no retry). */
    @WithDefault("5")
    int maxAttempts();

    /** First retry delay; doubles per attempt. */
    @WithDefault("200ms")
    Duration baseBackoff();

    /** Cap of the retry delay. */
    @WithDefault("30s")
    Duration maxBackoff();
  }

  default SagaSettings sagaSettings() {
    return new SagaSettings(
        timeouts().provision(),
        timeouts().power(),
        timeouts().gracefulStop(),
        timeouts().delete(),
        retry().maxAttempts(),
        retry().baseBackoff(),
        retry().maxBackoff(),
        timeouts().transfer(),
        timeouts().migration());
  }
}
