package dev.virtsaga.worker.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PerKeySequencerTest {
  private final PerKeySequencer sequencer = new PerKeySequencer();
  private final List<String> log = new CopyOnWriteArrayList<>();

  /** Work that logs its start and finishes when {@code gate} completes. */
  private java.util.function.Supplier<Uni<Void>> work(String name, CompletableFuture<Void> gate) {
    return () -> {
      log.add("start " + name);
      return Uni.createFrom().completionStage(gate).invoke(() -> log.add("end " + name));
    };
  }

  @Test
  void workOfOneKeyRunsOneAtATimeInOrder() {
    // Given
    var first = new CompletableFuture<Void>();
    var second = new CompletableFuture<Void>();

    // When
    CompletionStage<Void> a = sequencer.enqueue("vm-1", work("create", first));
    CompletionStage<Void> b = sequencer.enqueue("vm-1", work("delete", second));

    // Then: the delete waits for the create
    assertThat(log).containsExactly("start create");
    first.complete(null);
    assertThat(log).containsExactly("start create", "end create", "start delete");
    second.complete(null);
    assertThat(a.toCompletableFuture()).isCompleted();
    assertThat(b.toCompletableFuture()).isCompleted();
    assertThat(sequencer.activeKeys()).isZero();
  }

  @Test
  void differentKeysDoNotWaitForEachOther() {
    // Given: a VM whose work never finishes
    sequencer.enqueue("vm-slow", work("shutdown", new CompletableFuture<>()));

    // When
    CompletionStage<Void> other =
        sequencer.enqueue("vm-fast", work("create", CompletableFuture.completedFuture(null)));

    // Then
    assertThat(other.toCompletableFuture()).isCompleted();
    assertThat(log).containsExactly("start shutdown", "start create", "end create");
    assertThat(sequencer.activeKeys()).isEqualTo(1);
  }

  @Test
  void aFailureDoesNotBlockTheNextWorkOfItsKey() {
    // Given
    CompletionStage<Void> failing =
        sequencer.enqueue("vm-1", () -> Uni.createFrom().failure(new IllegalStateException("x")));
    CompletionStage<Void> throwing =
        sequencer.enqueue(
            "vm-1",
            () -> {
              throw new IllegalStateException("y");
            });

    // When
    CompletionStage<Void> next =
        sequencer.enqueue("vm-1", work("next", CompletableFuture.completedFuture(null)));

    // Then
    assertThat(failing.toCompletableFuture()).isCompletedExceptionally();
    assertThat(throwing.toCompletableFuture()).isCompletedExceptionally();
    assertThat(next.toCompletableFuture()).isCompleted();
    assertThat(log).containsExactly("start next", "end next");
  }

  @Test
  void asynchronousCompletionsKeepTheOrder() {
    // Given: 50 tasks of one key that each finish on another thread
    List<Integer> done = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 50; i++) {
      int n = i;
      sequencer.enqueue(
          "vm-1",
          () ->
              Uni.createFrom()
                  .voidItem()
                  .onItem()
                  .delayIt()
                  .by(Duration.ofMillis(1))
                  .invoke(() -> done.add(n)));
    }

    // Then
    await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 50);
    assertThat(done).isSorted();
  }
}
