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
 * @param resync every VM the loop knows is reported again this often (the informer's resync), so a
 *     consumer that set a sighting aside (it came while an operation ran) sees it again
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
    Duration probeTimeout,
    Duration resync) {

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
        Duration.ofSeconds(5),
        Duration.ofMinutes(10));
  }
}
