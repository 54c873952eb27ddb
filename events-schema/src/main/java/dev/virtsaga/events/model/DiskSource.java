package dev.virtsaga.events.model;

/**
 * A disk image a VM's root disk is imported from.
 *
 * @param url where to read it ({@code file:///…} under an allowed directory, {@code https://…})
 * @param format its format: {@code qcow2}, {@code raw} or {@code vmdk}
 * @param sha256 the SHA-256 (hex) the image must have; a mismatch fails the import
 */
public record DiskSource(String url, String format, String sha256) {}
