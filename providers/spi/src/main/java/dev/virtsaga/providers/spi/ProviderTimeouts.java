package dev.virtsaga.providers.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * How long to wait for one provider endpoint.
 *
 * @param instanceReady from create until the VM is usable
 * @param actionComplete for one power/delete action to finish (e.g. a graceful shutdown)
 * @param pollInterval between two polls of an asynchronous task or a power state
 * @param httpRequest for one API request
 */
public record ProviderTimeouts(
    Duration instanceReady, Duration actionComplete, Duration pollInterval, Duration httpRequest) {

  public ProviderTimeouts {
    requirePositive(instanceReady, "instanceReady");
    requirePositive(actionComplete, "actionComplete");
    requirePositive(pollInterval, "pollInterval");
    requirePositive(httpRequest, "httpRequest");
  }

  /** 10 min to be ready, 5 min per action, polls every 2 s, 30 s per request. */
  public static ProviderTimeouts defaults() {
    return new ProviderTimeouts(
        Duration.ofMinutes(10),
        Duration.ofMinutes(5),
        Duration.ofSeconds(2),
        Duration.ofSeconds(30));
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }
}
