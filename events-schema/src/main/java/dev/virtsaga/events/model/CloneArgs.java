package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;

/**
 * What a clone makes.
 *
 * @param targetVmId the new VM's id (chosen by the gateway)
 * @param name the new VM's display name
 * @param snapshotId copy the VM as it was in this snapshot; absent: as it is now
 */
public record CloneArgs(String targetVmId, String name, @Opt String snapshotId) {}
