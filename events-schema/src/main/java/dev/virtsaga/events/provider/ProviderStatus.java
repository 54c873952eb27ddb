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
 */
public record ProviderStatus(
    String provider,
    List<String> capabilities,
    ProviderHealth health,
    Instant at,
    @Opt String message) {}
