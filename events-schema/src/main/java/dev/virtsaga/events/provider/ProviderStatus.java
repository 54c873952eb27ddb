package dev.virtsaga.events.provider;

import dev.virtsaga.events.Opt;
import java.time.Instant;
import java.util.List;

/**
 * What a worker declares about its provider, on the compacted {@code vm.providers.v1} (keyed by
 * provider name): the optional capabilities it has (names of the SPI's {@code Capability}), and
 * whether the hypervisor answers. Published at start and then periodically, so the gateway can
 * refuse up front what a provider cannot do.
 *
 * @param capabilities e.g. {@code REBOOT}, {@code SUSPEND_RESUME}, {@code SNAPSHOTS}
 * @param message why the provider is not healthy
 * @param endpoint the worker's HTTP base URL, for reads that go to the hypervisor (disk info)
 * @param hosts the hosts the worker reaches (migration targets); the first is the default
 */
public record ProviderStatus(
    String provider,
    List<String> capabilities,
    ProviderHealth health,
    Instant at,
    @Opt String message,
    @Opt String endpoint,
    @Opt List<String> hosts) {

  /** A status without endpoint and hosts. */
  public ProviderStatus(
      String provider,
      List<String> capabilities,
      ProviderHealth health,
      Instant at,
      String message) {
    this(provider, capabilities, health, at, message, null, null);
  }
}
