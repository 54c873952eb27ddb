package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;
import java.util.List;

/**
 * Adopt: the VM as the watcher last saw it.
 *
 * @param power its observed power (ON → RUNNING, OFF → STOPPED, PAUSED → SUSPENDED)
 * @param providerRef the hypervisor's id of it
 * @param ips its addresses
 */
public record AdoptArgs(PowerState power, @Opt String providerRef, @Opt List<String> ips) {}
