package dev.virtsaga.providers.virtfusion;

import io.smallrye.mutiny.Uni;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs asynchronous work one at a time per key, in arrival order, without blocking a thread: the
 * next piece of work of a key is subscribed when the previous one has ended (item, failure or
 * cancellation).
 */
final class KeyedMutex<K> {
  private final Map<K, Deque<Runnable>> waiting = new HashMap<>();

  <T> Uni<T> withLock(K key, Supplier<Uni<T>> work) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              AtomicBoolean ended = new AtomicBoolean();
              emitter.onTermination(() -> ended.set(true));
              Runnable start =
                  () -> {
                    if (ended.get()) {
                      release(key);
                      return;
                    }
                    Uni.createFrom()
                        .deferred(() -> work.get())
                        .onTermination()
                        .invoke(() -> release(key))
                        .subscribe()
                        .with(emitter::complete, emitter::fail);
                  };
              boolean now;
              synchronized (this) {
                Deque<Runnable> queue = waiting.get(key);
                if (queue == null) {
                  waiting.put(key, new ArrayDeque<>());
                  now = true;
                } else {
                  queue.addLast(start);
                  now = false;
                }
              }
              if (now) {
                start.run();
              }
            });
  }

  private void release(K key) {
    Runnable next;
    synchronized (this) {
      Deque<Runnable> queue = waiting.get(key);
      if (queue == null) {
        return;
      }
      next = queue.pollFirst();
      if (next == null) {
        waiting.remove(key);
      }
    }
    if (next != null) {
      next.run();
    }
  }
}
