package dev.virtsaga.gateway;

import java.time.Instant;

/**
 * A project as stored: the request it was created with and that request's fingerprint.
 *
 * @param name the project's name, unique per tenant
 * @param request the accepted request as canonical JSON (defaults applied)
 * @param fingerprint SHA-256 of the request; a repeat with the same one replays the project
 */
public record Project(
    String tenantId, String name, String request, String fingerprint, Instant createdAt) {}
