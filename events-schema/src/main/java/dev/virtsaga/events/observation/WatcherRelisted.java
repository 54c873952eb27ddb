package dev.virtsaga.events.observation;

import java.time.Instant;

/**
 * The watcher listed a provider endpoint again from scratch (its first list, or after the watch was
 * gone: a Kubernetes 410, a lost vSphere session, a libvirt reconnect): consumers that cache
 * observations should drop what they hold for the provider and rebuild from what follows.
 *
 * @param reason why: {@code initial}, {@code gone}, {@code recovered} (after failures)
 * @param resourceVersion the version the watch resumes from
 * @param count managed VMs listed
 * @param vanished VMs known before and missing from the list (each got a DELETED observation)
 * @param durationMs how long the list took
 */
public record WatcherRelisted(
    String provider,
    String reason,
    String resourceVersion,
    int count,
    int vanished,
    long durationMs,
    Instant at)
    implements Observation {}
