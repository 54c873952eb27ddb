package dev.virtsaga.watcher;

import java.time.Duration;

/**
 * How one watch loop behaves.
 *
 * @param backoffInitial the wait after the first failure; it doubles per consecutive failure
 * @param backoffMax the longest wait between attempts
 * @param jitter the random fraction of each wait, in [0, 1]
 * @param breakerThreshold consecutive failures that open the circuit breaker
 * @param breakerOpenFor how long an open breaker refuses calls before a probe
 * @param listTimeout how long a list may take before it counts as a failure
 * @param watchRestart a watch is restarted from its version after a random time in {@code
 *     [watchRestart, 2 · watchRestart]}, so watchers of one server never reconnect in lockstep
 * @param probeInterval how often the endpoint's health is checked ({@code Provider.validate})
 * @param probeTimeout how long a health check may take before the endpoint counts as unreachable
 */
public record WatcherSettings(
    Duration backoffInitial,
    Duration backoffMax,
    double jitter,
    int breakerThreshold,
    Duration breakerOpenFor,
    Duration listTimeout,
    Duration watchRestart,
    Duration probeInterval,
    Duration probeTimeout) {

  /** Production defaults. */
  public static WatcherSettings defaults() {
    return new WatcherSettings(
        Duration.ofMillis(200),
        Duration.ofSeconds(30),
        0.5,
        5,
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofMinutes(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(5));
  }
}
