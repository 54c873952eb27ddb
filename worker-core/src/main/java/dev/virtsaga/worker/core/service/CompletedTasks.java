package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.task.TaskEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The outcomes of recently finished tasks, by idempotency key and attempt: a redelivered task is
 * answered from here instead of calling the hypervisor again. Bounded in size (oldest evicted
 * first) and in age.
 */
public final class CompletedTasks {
  private record Entry(TaskEvent outcome, Instant at) {}

  private final int maxSize;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Entry> entries; // guarded by this

  public CompletedTasks(int maxSize, Duration ttl, Clock clock) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be at least 1");
    }
    this.maxSize = maxSize;
    this.ttl = ttl;
    this.clock = clock;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > CompletedTasks.this.maxSize;
          }
        };
  }

  /** The key of a task: its idempotency key and attempt. */
  public static String key(String idempotencyKey, int attempt) {
    return idempotencyKey + "#" + attempt;
  }

  /** The recorded outcome, unless unknown or older than the TTL. */
  public synchronized Optional<TaskEvent> get(String key) {
    Entry e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (e.at().plus(ttl).isBefore(clock.instant())) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(e.outcome());
  }

  public synchronized void put(String key, TaskEvent outcome) {
    entries.remove(key);
    entries.put(key, new Entry(outcome, clock.instant()));
  }

  public synchronized int size() {
    return entries.size();
  }
}
