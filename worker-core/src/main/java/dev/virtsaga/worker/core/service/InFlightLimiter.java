package dev.virtsaga.worker.core.service;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Bounds the tasks in flight: the consumer takes a permit before it takes a record and returns it
 * when the task is finished, so a burst of tasks (or many long shutdowns) cannot pile up unbounded
 * in memory; the Kafka consumer simply stops taking records until a permit is free.
 */
public final class InFlightLimiter {
  private final int max;
  private final Deque<CompletableFuture<Void>> waiting = new ArrayDeque<>(); // guarded by this
  private int inFlight; // guarded by this

  public InFlightLimiter(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  /** Completes once a permit is held. */
  public synchronized CompletionStage<Void> acquire() {
    if (inFlight < max) {
      inFlight++;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> permit = new CompletableFuture<>();
    waiting.add(permit);
    return permit;
  }

  /** Returns a permit, handing it straight to the oldest waiter if there is one. */
  public void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inFlight--;
      }
    }
    if (next != null) {
      next.complete(null);
    }
  }

  public synchronized int inFlight() {
    return inFlight;
  }
}
