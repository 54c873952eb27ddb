package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.Reconfigurable;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.Snapshots;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.worker.core.mapping.TaskMapping;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs one task against the provider and reports it: ACCEPTED, then SUCCEEDED or FAILED.
 *
 * <ul>
 *   <li>A task whose deadline has passed fails with TIMEOUT without touching the hypervisor.
 *   <li>A task whose idempotency key and attempt already finished recently gets its recorded
 *       outcome again, without touching the hypervisor.
 *   <li>Provider calls are subscribed on the worker executor, never on the caller's (event-loop)
 *       thread, and bounded by the task's deadline.
 *   <li>SHUTDOWN_GRACEFUL succeeds only once the VM is OFF: describe is polled on timers (no thread
 *       waits) until then or until the deadline (TIMEOUT).
 *   <li>Every provider failure becomes a FAILED event with its error classified; the returned Uni
 *       fails only when an event could not be sent.
 * </ul>
 *
 * <p>Plain Java: no Quarkus, no Kafka.
 */
public final class TaskProcessor {
  private static final Logger LOG = Logger.getLogger(TaskProcessor.class);

  private final Provider provider;
  private final TaskEventSink sink;
  private final CompletedTasks completed;
  private final TaskSettings settings;
  private final Clock clock;
  private final Executor workers;

  /**
   * @param workers where provider calls are subscribed (a worker pool, never an event loop)
   */
  public TaskProcessor(
      Provider provider,
      TaskEventSink sink,
      CompletedTasks completed,
      TaskSettings settings,
      Clock clock,
      Executor workers) {
    this.provider = provider;
    this.sink = sink;
    this.completed = completed;
    this.settings = settings;
    this.clock = clock;
    this.workers = workers;
  }

  /** Handles one task; completes once its final event has been sent. */
  public Uni<Void> process(TaskRequested task) {
    return Uni.createFrom().deferred(() -> start(task));
  }

  private Uni<Void> start(TaskRequested task) {
    String key = CompletedTasks.key(task.idempotencyKey(), task.attempt());
    Optional<TaskEvent> outcome = completed.get(key);
    if (outcome.isPresent()) {
      LOG.infof(
          "task %s was already %s; re-emitting its outcome %s",
          task.taskId(), outcome.get().status(), ctx(task));
      return sink.send(outcome.get());
    }
    Instant now = clock.instant();
    if (!now.isBefore(task.deadline())) {
      return finish(
          task,
          key,
          TaskMapping.failed(
              task,
              now,
              TaskError.of(
                  ErrorType.TIMEOUT,
                  "deadline " + task.deadline() + " passed before the task started")));
    }
    Duration budget = Duration.between(now, task.deadline());
    if (budget.compareTo(settings.maxTaskDuration()) > 0) {
      budget = settings.maxTaskDuration();
    }
    Duration timeout = budget;
    return sink.send(TaskMapping.event(task, TaskStatus.ACCEPTED, now))
        .chain(
            () ->
                execute(task)
                    .ifNoItem()
                    .after(timeout)
                    .failWith(
                        () ->
                            new TimeoutException(
                                task.action()
                                    + " did not finish before its deadline "
                                    + task.deadline()))
                    .map(
                        d ->
                            TaskMapping.succeeded(
                                task, clock.instant(), d.providerRef(), d.power(), d.ips()))
                    .onFailure()
                    .recoverWithItem(
                        e ->
                            TaskMapping.failed(task, clock.instant(), ErrorClassifier.classify(e))))
        .chain(event -> finish(task, key, event));
  }

  private Uni<Void> finish(TaskRequested task, String key, TaskEvent event) {
    return sink.send(event)
        .invoke(
            () -> {
              completed.put(key, event);
              if (event.status() == TaskStatus.SUCCEEDED) {
                LOG.infof(
                    "task %s %s succeeded: power=%s %s",
                    task.taskId(), task.action(), event.power(), ctx(task));
              } else {
                LOG.warnf(
                    "task %s %s failed: %s %s %s",
                    task.taskId(),
                    task.action(),
                    event.error().type(),
                    event.error().message(),
                    ctx(task));
              }
            });
  }

  /** The provider call(s) of one action; the VM as described afterwards. */
  private Uni<Observed> execute(TaskRequested task) {
    String vmId = task.vmId();
    return switch (task.action()) {
      case CREATE ->
          call(() -> provider.create(TaskMapping.createRequest(task)))
              .chain(
                  created ->
                      (created.taskRef() == null
                              ? Uni.createFrom().voidItem()
                              : awaitTask(created.taskRef()))
                          .chain(() -> describe(vmId, created.providerRef())));
      case DELETE ->
          call(() -> provider.delete(vmId, task.providerRef()))
              .chain(() -> call(() -> provider.describe(vmId, task.providerRef())))
              .map(
                  d -> {
                    if (d.exists()) {
                      throw new ProviderException(
                          dev.virtsaga.providers.spi.ErrorType.RETRYABLE,
                          "VM " + vmId + " still exists after delete");
                    }
                    return new Observed(task.providerRef(), PowerState.NOT_FOUND, List.of());
                  });
      case SHUTDOWN_GRACEFUL ->
          call(() -> provider.power(vmId, task.providerRef(), PowerOp.SHUTDOWN_GRACEFUL))
              .chain(() -> awaitOff(vmId, task.providerRef()));
      case SNAPSHOT_CREATE ->
          call(() -> snapshots().createSnapshot(vmId, task.providerRef(), task.snapshotId(), null))
              .chain(() -> describe(vmId, task.providerRef()));
      case SNAPSHOT_DELETE ->
          findSnapshot(task)
              .chain(
                  found ->
                      found == null
                          ? Uni.createFrom().voidItem()
                          : call(
                              () ->
                                  snapshots()
                                      .deleteSnapshot(
                                          vmId, task.providerRef(), found.snapshotId())))
              .chain(() -> describe(vmId, task.providerRef()));
      case SNAPSHOT_REVERT ->
          findSnapshot(task)
              .chain(
                  found -> {
                    if (found == null) {
                      throw ProviderException.notFound(
                          "VM " + vmId + " has no snapshot " + task.snapshotId());
                    }
                    return call(
                        () ->
                            snapshots()
                                .revertSnapshot(vmId, task.providerRef(), found.snapshotId()));
                  })
              .chain(() -> describe(vmId, task.providerRef()));
      case RECONFIGURE ->
          call(() ->
                  Capability.of(provider, Reconfigurable.class)
                      .reconfigure(vmId, task.providerRef(), TaskMapping.reconfigureRequest(task)))
              .chain(() -> describe(vmId, task.providerRef()));
      case POWER_ON, POWER_OFF, REBOOT, SUSPEND, RESUME ->
          call(() -> provider.power(vmId, task.providerRef(), TaskMapping.powerOp(task.action())))
              .chain(() -> describe(vmId, task.providerRef()));
    };
  }

  private Snapshots snapshots() {
    return Capability.of(provider, Snapshots.class);
  }

  /** The provider's snapshot made for VirtSaga's snapshot id (its name), or null. */
  private Uni<SnapshotInfo> findSnapshot(TaskRequested task) {
    return call(() -> snapshots().listSnapshots(task.vmId(), task.providerRef()))
        .map(
            list ->
                list.stream()
                    .filter(s -> s.name().equals(task.snapshotId()))
                    .findFirst()
                    .orElse(null));
  }

  /** Polls describe until the VM is OFF; cancelled by the task's timeout. */
  private Uni<Observed> awaitOff(String vmId, String providerRef) {
    return call(() -> provider.describe(vmId, providerRef))
        .chain(
            d -> {
              if (!d.exists()) {
                return Uni.createFrom()
                    .failure(
                        ProviderException.notFound("VM " + vmId + " vanished while shutting down"));
              }
              if (d.power() == PowerState.OFF) {
                return Uni.createFrom().item(Observed.of(d));
              }
              return Uni.createFrom()
                  .voidItem()
                  .onItem()
                  .delayIt()
                  .by(settings.pollInterval())
                  .chain(() -> awaitOff(vmId, providerRef));
            });
  }

  /** Polls an asynchronous provider task until it is complete; fails when the task failed. */
  private Uni<Void> awaitTask(String taskRef) {
    return call(() -> provider.taskStatus(taskRef))
        .chain(
            state -> {
              if (state.phase() == TaskState.Phase.SUCCEEDED) {
                return Uni.createFrom().voidItem();
              }
              if (state.phase() == TaskState.Phase.FAILED) {
                return Uni.createFrom().failure(state.error());
              }
              return Uni.createFrom()
                  .voidItem()
                  .onItem()
                  .delayIt()
                  .by(settings.pollInterval())
                  .chain(() -> awaitTask(taskRef));
            });
  }

  private Uni<Observed> describe(String vmId, String providerRef) {
    return call(() -> provider.describe(vmId, providerRef))
        .map(
            d -> {
              if (!d.exists()) {
                throw new ProviderException(
                    dev.virtsaga.providers.spi.ErrorType.RETRYABLE,
                    "VM " + vmId + " not found by describe after the call");
              }
              return Observed.of(d);
            });
  }

  /** Subscribes a provider call on the worker executor, whatever thread we are on. */
  private <T> Uni<T> call(Supplier<Uni<? extends T>> call) {
    return Uni.createFrom().<T>deferred(call).runSubscriptionOn(workers);
  }

  private String ctx(TaskRequested task) {
    return "vmId="
        + task.vmId()
        + " operationId="
        + task.operationId()
        + " provider="
        + settings.provider()
        + " step="
        + task.step()
        + " attempt="
        + task.attempt();
  }

  /** What the provider said about the VM after the call. */
  private record Observed(String providerRef, PowerState power, List<String> ips) {
    static Observed of(VmDescription d) {
      return new Observed(d.providerRef(), d.power(), d.ips());
    }
  }
}
