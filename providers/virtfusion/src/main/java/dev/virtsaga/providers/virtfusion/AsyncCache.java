package dev.virtsaga.providers.virtfusion;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Values looked up from VirtFusion, kept for a while. Concurrent callers of one key share one
 * lookup (one request, not one per caller); a failed lookup is not kept.
 */
final class AsyncCache<K, V> {
  private record Entry<V>(Uni<V> value, long expiresAt) {}

  private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final LongSupplier nanoClock;

  AsyncCache(Duration ttl) {
    this(ttl, System::nanoTime);
  }

  AsyncCache(Duration ttl, LongSupplier nanoClock) {
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  /** The cached value of {@code key}, else the loader's (looked up once for all callers). */
  Uni<V> get(K key, Function<K, Uni<V>> loader) {
    return Uni.createFrom()
        .deferred(
            () -> {
              long now = nanoClock.getAsLong();
              Entry<V> entry =
                  entries.compute(
                      key,
                      (k, old) ->
                          old != null && old.expiresAt() - now > 0
                              ? old
                              : new Entry<>(
                                  Uni.createFrom()
                                      .deferred(() -> loader.apply(k))
                                      .memoize()
                                      .indefinitely(),
                                  now + ttlNanos));
              return entry.value().onFailure().invoke(() -> entries.remove(key, entry));
            });
  }

  /** Puts a value known otherwise (e.g. an id just registered). */
  void put(K key, V value) {
    entries.put(key, new Entry<>(Uni.createFrom().item(value), nanoClock.getAsLong() + ttlNanos));
  }

  void invalidate(K key) {
    entries.remove(key);
  }

  void clear() {
    entries.clear();
  }
}
