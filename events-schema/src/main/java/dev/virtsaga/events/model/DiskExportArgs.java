package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;

/**
 * Where and how a disk is exported.
 *
 * @param url the target ({@code file:///…} under an allowed directory, {@code https://…})
 * @param format {@code qcow2}, {@code raw} or {@code vmdk}
 * @param diskId the disk; absent: the root disk
 * @param snapshotId export the disk as it was in this snapshot; absent: as it is now
 */
public record DiskExportArgs(
    String url, String format, @Opt String diskId, @Opt String snapshotId) {}
