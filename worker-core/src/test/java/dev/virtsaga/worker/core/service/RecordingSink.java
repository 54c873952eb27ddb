package dev.virtsaga.worker.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.Json;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskStatus;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records the events sent, validating each against its committed JSON Schema; can hold sends (to
 * see what waits for them) or fail them.
 */
public final class RecordingSink implements TaskEventSink {
  private final List<TaskEvent> sent = new CopyOnWriteArrayList<>();
  private volatile Predicate<TaskEvent> hold = e -> false;
  private volatile CompletableFuture<Void> released = CompletableFuture.completedFuture(null);
  private volatile RuntimeException failure;

  @Override
  public Uni<Void> send(TaskEvent event) {
    return Uni.createFrom()
        .deferred(
            () -> {
              if (failure != null) {
                return Uni.createFrom().failure(failure);
              }
              String json = Json.write(event);
              assertThat(EventSchemas.validate(EventCatalog.typeOf(event), json))
                  .as("schema violations of %s", json)
                  .isEmpty();
              if (hold.test(event)) {
                return Uni.createFrom().completionStage(released).invoke(() -> sent.add(event));
              }
              sent.add(event);
              return Uni.createFrom().voidItem();
            });
  }

  /** Sends of matching events complete only on {@link #release()}. */
  public void holdWhile(Predicate<TaskEvent> matching) {
    released = new CompletableFuture<>();
    hold = matching;
  }

  public void release() {
    hold = e -> false;
    released.complete(null);
  }

  public void failWith(RuntimeException e) {
    failure = e;
  }

  public List<TaskEvent> sent() {
    return List.copyOf(sent);
  }

  public List<TaskEvent> of(String vmId) {
    return sent.stream().filter(e -> e.vmId().equals(vmId)).toList();
  }

  public List<TaskStatus> statuses(String vmId) {
    return of(vmId).stream().map(TaskEvent::status).toList();
  }
}
