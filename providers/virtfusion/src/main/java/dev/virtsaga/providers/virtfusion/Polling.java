package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls on timers (no thread waits) until a condition holds or time is up. */
final class Polling {
  private Polling() {}

  /**
   * Calls {@code probe} every {@code interval} until its item satisfies {@code done}; fails with
   * TIMEOUT after {@code timeout}. A retryable failure of one probe (the endpoint briefly throttled
   * or away) is polled through; other failures end the wait.
   */
  static <T> Uni<T> until(
      Supplier<Uni<T>> probe, Predicate<T> done, Duration interval, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    return Uni.createFrom().deferred(() -> poll(probe, done, interval, deadline, timeout, what));
  }

  private static <T> Uni<T> poll(
      Supplier<Uni<T>> probe,
      Predicate<T> done,
      Duration interval,
      long deadline,
      Duration timeout,
      String what) {
    return probe
        .get()
        .map(item -> new Probe<>(item, null))
        .onFailure(Polling::isRetryable)
        .recoverWithItem(e -> new Probe<>(null, (ProviderException) e))
        .chain(
            p -> {
              if (p.error() == null && done.test(p.item())) {
                return Uni.createFrom().item(p.item());
              }
              if (System.nanoTime() - deadline >= 0) {
                return Uni.createFrom()
                    .failure(
                        new ProviderException(
                            ErrorType.TIMEOUT,
                            what
                                + " did not happen within "
                                + timeout
                                + (p.error() == null
                                    ? ""
                                    : " (last error: " + p.error().getMessage() + ")"),
                            p.error()));
              }
              return Uni.createFrom()
                  .voidItem()
                  .onItem()
                  .delayIt()
                  .by(interval)
                  .chain(() -> poll(probe, done, interval, deadline, timeout, what));
            });
  }

  private record Probe<T>(T item, ProviderException error) {}

  private static boolean isRetryable(Throwable e) {
    return e instanceof ProviderException pe && pe.isRetryable();
  }
}
