package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;
import java.util.Map;

/**
 * What a VM should be.
 *
 * @param name display name, also the hypervisor object's name where the provider allows it
 * @param provider which provider runs it ({@code libvirt}, …)
 * @param cpus virtual CPUs
 * @param memoryMiB memory in MiB
 * @param diskGiB size of the root disk in GiB (0 = no disk)
 * @param image image or template the root disk is made from, provider-specific
 * @param labels free-form labels
 */
public record VmSpec(
    String name,
    String provider,
    int cpus,
    long memoryMiB,
    long diskGiB,
    @Opt String image,
    @Opt Map<String, String> labels) {}
