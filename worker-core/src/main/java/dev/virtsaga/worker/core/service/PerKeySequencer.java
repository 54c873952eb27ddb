package dev.virtsaga.worker.core.service;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs work one at a time per key, in the order it was enqueued, while different keys run
 * concurrently. The worker keys by vmId: a VM's tasks (create before delete…) run in order, and a
 * long graceful shutdown of one VM never holds up another.
 */
public final class PerKeySequencer {
  private final ConcurrentHashMap<String, CompletableFuture<Void>> tails =
      new ConcurrentHashMap<>();

  /**
   * Enqueues work for a key; it starts once every earlier work of that key has finished
   * (successfully or not).
   *
   * @return completes when this work has finished, failing when it failed
   */
  public CompletionStage<Void> enqueue(String key, Supplier<Uni<Void>> work) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> previous = tails.put(key, done);
    CompletionStage<Void> start =
        previous == null ? CompletableFuture.completedFuture(null) : previous;
    start.whenComplete(
        (ignored, previousFailure) -> {
          Uni<Void> uni;
          try {
            uni = work.get();
          } catch (RuntimeException e) {
            uni = Uni.createFrom().failure(e);
          }
          uni.subscribe()
              .with(item -> finish(key, done, null), failure -> finish(key, done, failure));
        });
    return done;
  }

  private void finish(String key, CompletableFuture<Void> done, Throwable failure) {
    tails.remove(key, done);
    if (failure == null) {
      done.complete(null);
    } else {
      done.completeExceptionally(failure);
    }
  }

  /** Keys with work queued or running. */
  public int activeKeys() {
    return tails.size();
  }
}
