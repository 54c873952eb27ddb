package dev.virtsaga.orchestrator.saga;

import java.time.Duration;

/**
 * Deadlines and retry policy of the sagas.
 *
 * @param provisionTimeout how long a provider may take to make a VM
 * @param powerTimeout how long a power on, forced off or reboot may take
 * @param gracefulStopTimeout default graceful shutdown budget before a stop is forced
 * @param deleteTimeout how long a provider may take to delete a VM
 * @param maxAttempts attempts per step for retryable errors (1 = no retry)
 * @param baseBackoff first retry delay; doubles per attempt
 * @param maxBackoff cap of the retry delay
 * @param transferTimeout how long a clone or a disk export may take
 * @param migrationTimeout how long a migration may take before it is cancelled
 */
public record SagaSettings(
    Duration provisionTimeout,
    Duration powerTimeout,
    Duration gracefulStopTimeout,
    Duration deleteTimeout,
    int maxAttempts,
    Duration baseBackoff,
    Duration maxBackoff,
    Duration transferTimeout,
    Duration migrationTimeout) {

  /** Clones, exports and migrations get 30 minutes each. */
  public SagaSettings(
      Duration provisionTimeout,
      Duration powerTimeout,
      Duration gracefulStopTimeout,
      Duration deleteTimeout,
      int maxAttempts,
      Duration baseBackoff,
      Duration maxBackoff) {
    this(
        provisionTimeout,
        powerTimeout,
        gracefulStopTimeout,
        deleteTimeout,
        maxAttempts,
        baseBackoff,
        maxBackoff,
        Duration.ofMinutes(30),
        Duration.ofMinutes(30));
  }

  public static SagaSettings defaults() {
    return new SagaSettings(
        Duration.ofMinutes(10),
        Duration.ofMinutes(2),
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        5,
        Duration.ofMillis(200),
        Duration.ofSeconds(30));
  }
}
