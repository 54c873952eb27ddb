package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.DiskSource;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.OperationResult;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.DiskExportRequest;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.DiskImportRequest;
import dev.virtsaga.providers.spi.Disks;
import dev.virtsaga.providers.spi.Migration;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
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
 *   <li>Each task runs against the adapter of the host its VM is on ({@link ProviderHosts}). A
 *       migration reports PROGRESS while it runs; MIGRATE_CANCEL cancels it (it is meant to run
 *       beside the VM's MIGRATE task, not behind it) and reports the host the VM ended up on.
 * </ul>
 *
 * <p>Plain Java: no Quarkus, no Kafka.
 */
public final class TaskProcessor {
  private static final Logger LOG = Logger.getLogger(TaskProcessor.class);

  private final ProviderHosts hosts;
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
    this(ProviderHosts.single(provider), sink, completed, settings, clock, workers);
  }

  /**
   * @param hosts the hosts this worker reaches, each with its adapter
   * @param workers where provider calls are subscribed (a worker pool, never an event loop)
   */
  public TaskProcessor(
      ProviderHosts hosts,
      TaskEventSink sink,
      CompletedTasks completed,
      TaskSettings settings,
      Clock clock,
      Executor workers) {
    this.hosts = hosts;
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
                Uni.createFrom()
                    .deferred(() -> execute(task))
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
                                    task, clock.instant(), d.providerRef(), d.power(), d.ips())
                                .withResult(d.result()))
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
    Provider provider = hosts.provider(task.host());
    return switch (task.action()) {
      case CREATE -> create(provider, task);
      case DELETE -> deleted(provider, vmId, task.providerRef());
      case SHUTDOWN_GRACEFUL ->
          call(() -> provider.power(vmId, task.providerRef(), PowerOp.SHUTDOWN_GRACEFUL))
              .chain(() -> awaitOff(provider, vmId, task.providerRef()));
      case SNAPSHOT_CREATE ->
          call(() ->
                  snapshots(provider)
                      .createSnapshot(vmId, task.providerRef(), task.snapshotId(), null))
              .chain(() -> describe(provider, vmId, task.providerRef()));
      case SNAPSHOT_DELETE ->
          findSnapshot(provider, task)
              .chain(
                  found ->
                      found == null
                          ? Uni.createFrom().voidItem()
                          : call(
                              () ->
                                  snapshots(provider)
                                      .deleteSnapshot(
                                          vmId, task.providerRef(), found.snapshotId())))
              .chain(() -> describe(provider, vmId, task.providerRef()));
      case SNAPSHOT_REVERT ->
          findSnapshot(provider, task)
              .chain(
                  found -> {
                    if (found == null) {
                      throw ProviderException.notFound(
                          "VM " + vmId + " has no snapshot " + task.snapshotId());
                    }
                    return call(
                        () ->
                            snapshots(provider)
                                .revertSnapshot(vmId, task.providerRef(), found.snapshotId()));
                  })
              .chain(() -> describe(provider, vmId, task.providerRef()));
      case RECONFIGURE ->
          call(() ->
                  Capability.of(provider, Reconfigurable.class)
                      .reconfigure(vmId, task.providerRef(), TaskMapping.reconfigureRequest(task)))
              .chain(() -> describe(provider, vmId, task.providerRef()));
      case POWER_ON, RESUME ->
          call(() -> provider.power(vmId, task.providerRef(), TaskMapping.powerOp(task.action())))
              .chain(() -> describeWithGuestIp(provider, vmId, task.providerRef()));
      case POWER_OFF, REBOOT, SUSPEND ->
          call(() -> provider.power(vmId, task.providerRef(), TaskMapping.powerOp(task.action())))
              .chain(() -> describe(provider, vmId, task.providerRef()));
      case CLONE -> {
        CloneArgs clone = cloneArgs(task);
        yield call(() ->
                Capability.of(provider, Cloning.class)
                    .cloneVm(
                        new CloneRequest(
                            vmId,
                            task.providerRef(),
                            clone.snapshotId(),
                            clone.targetVmId(),
                            task.operationId(),
                            clone.name(),
                            Map.of())))
            .map(
                made ->
                    new Observed(
                        null,
                        null,
                        null,
                        OperationResult.clone(clone.targetVmId(), made.providerRef())));
      }
      case CLONE_DISCARD ->
          deleted(provider, cloneArgs(task).targetVmId(), null)
              .map(gone -> new Observed(null, null, null, null));
      case DISK_EXPORT -> {
        DiskExportArgs export = task.export();
        if (export == null) {
          throw ProviderException.invalidSpec(
              "DISK_EXPORT task " + task.taskId() + " has no export");
        }
        yield call(() ->
                Capability.of(provider, Disks.class)
                    .exportDisk(
                        new DiskExportRequest(
                            vmId,
                            task.providerRef(),
                            export.diskId(),
                            export.snapshotId(),
                            export.url(),
                            DiskFormat.of(export.format()))))
            .map(
                written ->
                    new Observed(
                        null,
                        null,
                        null,
                        new OperationResult(
                            written.location(),
                            written.format().id(),
                            written.sizeBytes(),
                            written.sha256(),
                            null,
                            null)));
      }
      case MIGRATE -> migrate(provider, task);
      case MIGRATE_CANCEL -> cancelMigration(task);
    };
  }

  /** CREATE; a spec with a {@code source} imports that image first and layers the disk on it. */
  private Uni<Observed> create(Provider provider, TaskRequested task) {
    // a host named by the task: its address, for adapters that reach several hosts through one
    // endpoint and place the VM themselves
    CreateRequest request =
        task.host() == null
            ? TaskMapping.createRequest(task)
            : TaskMapping.createRequest(task).onHost(hosts.host(task.host()).address());
    DiskSource source = task.spec().source();
    Uni<CreateRequest> ready =
        source == null
            ? Uni.createFrom().item(request)
            : call(() ->
                    Capability.of(provider, Disks.class)
                        .importDisk(
                            new DiskImportRequest(
                                DiskImportRequest.nameForVm(task.vmId()),
                                source.url(),
                                DiskFormat.of(source.format()),
                                source.sha256())))
                .map(
                    imported ->
                        new CreateRequest(
                            request.vmId(),
                            request.operationId(),
                            request.name(),
                            request.cpus(),
                            request.memoryMiB(),
                            Math.max(1, request.diskGiB()),
                            imported.location(),
                            request.labels(),
                            request.host()));
    return ready
        .chain(r -> call(() -> provider.create(r)))
        .chain(
            created ->
                (created.taskRef() == null
                        ? Uni.createFrom().voidItem()
                        : awaitTask(provider, created.taskRef()))
                    .chain(() -> describe(provider, task.vmId(), created.providerRef())));
  }

  /** Deletes the VM and confirms it is gone. */
  private Uni<Observed> deleted(Provider provider, String vmId, String providerRef) {
    return call(() -> provider.delete(vmId, providerRef))
        .chain(() -> call(() -> provider.describe(vmId, providerRef)))
        .map(
            d -> {
              if (d.exists()) {
                throw new ProviderException(
                    dev.virtsaga.providers.spi.ErrorType.RETRYABLE,
                    "VM " + vmId + " still exists after delete");
              }
              return new Observed(providerRef, PowerState.NOT_FOUND, List.of(), null);
            });
  }

  private static CloneArgs cloneArgs(TaskRequested task) {
    if (task.cloneTo() == null) {
      throw ProviderException.invalidSpec(
          task.action() + " task " + task.taskId() + " has no clone");
    }
    return task.cloneTo();
  }

  // ---- migration -------------------------------------------------------------------------------

  /** A migration this worker started and has not seen finish. */
  private record RunningMigration(String taskRef, Migration migration, String targetHost) {}

  private final Map<String, RunningMigration> migrations = new ConcurrentHashMap<>();

  private Uni<Observed> migrate(Provider source, TaskRequested task) {
    ProviderHosts.Host target = hosts.host(requireTarget(task));
    Migration migration = Capability.of(source, Migration.class);
    String address = target.address() != null ? target.address() : target.name();
    return call(() -> migration.migrate(task.vmId(), task.providerRef(), address))
        .chain(
            ref -> {
              migrations.put(task.vmId(), new RunningMigration(ref, migration, target.name()));
              // a task abandoned at its deadline leaves the entry: the migration may still run on
              // the hypervisor, and the MIGRATE_CANCEL the orchestrator sends next finds it
              return awaitMigration(task, migration, ref, -1)
                  .onItemOrFailure()
                  .invoke(() -> migrations.remove(task.vmId()));
            })
        .chain(() -> describe(target.provider(), task.vmId(), task.providerRef()))
        .map(d -> d.withResult(OperationResult.host(target.name())));
  }

  /** Polls the migration until it ends, reporting its progress when it changes. */
  private Uni<Void> awaitMigration(
      TaskRequested task, Migration migration, String ref, int reported) {
    return call(() -> migration.migrationStatus(ref))
        .chain(
            state -> {
              if (state.phase() == TaskState.Phase.SUCCEEDED) {
                return Uni.createFrom().voidItem();
              }
              if (state.phase() == TaskState.Phase.FAILED) {
                return Uni.createFrom().failure(state.error());
              }
              int progress = state.progress() == null ? reported : state.progress();
              Uni<Void> report =
                  progress == reported
                      ? Uni.createFrom().voidItem()
                      : sink.send(
                          TaskEvent.reporting(
                              task,
                              TaskStatus.PROGRESS,
                              clock.instant(),
                              task.providerRef(),
                              progress,
                              null,
                              null,
                              null));
              return report
                  .onItem()
                  .delayIt()
                  .by(settings.pollInterval())
                  .chain(() -> awaitMigration(task, migration, ref, progress));
            });
  }

  /**
   * Cancels the VM's migration (if this worker still runs one), waits until it has stopped, and
   * reports the host the VM is on.
   */
  private Uni<Observed> cancelMigration(TaskRequested task) {
    String target = requireTarget(task);
    String source = task.host() == null ? hosts.defaultName() : task.host();
    RunningMigration running = migrations.get(task.vmId());
    Uni<Void> stopped =
        running == null
            ? Uni.createFrom().voidItem()
            : call(() -> running.migration().cancelMigration(running.taskRef()))
                .chain(() -> awaitEnd(running))
                .invoke(() -> migrations.remove(task.vmId(), running));
    return stopped
        .chain(() -> call(() -> hosts.provider(target).describe(task.vmId(), task.providerRef())))
        .chain(
            onTarget -> {
              // one endpoint for all hosts (vSphere, KubeVirt) sees the VM from either side and
              // says where it runs; per-host connections (libvirt) see it only where it is
              String reported = onTarget.raw().get("host");
              String where =
                  reported != null && hosts.names().contains(reported)
                      ? reported
                      : onTarget.exists() ? target : source;
              return describe(hosts.provider(where), task.vmId(), task.providerRef())
                  .map(d -> d.withResult(OperationResult.host(where)));
            });
  }

  /** Waits until a cancelled migration has stopped, whichever way it ended. */
  private Uni<Void> awaitEnd(RunningMigration running) {
    return pollUntil(
            () -> running.migration().migrationStatus(running.taskRef()),
            state -> state.phase() != TaskState.Phase.RUNNING)
        .replaceWithVoid();
  }

  private static String requireTarget(TaskRequested task) {
    if (task.targetHost() == null || task.targetHost().isBlank()) {
      throw ProviderException.invalidSpec(
          task.action() + " task " + task.taskId() + " has no target host");
    }
    return task.targetHost();
  }

  /** The adapter of the default host (capabilities and health are read from it). */
  public Provider provider() {
    return hosts.primary();
  }

  /** The hosts this worker reaches. */
  public ProviderHosts hosts() {
    return hosts;
  }

  private static Snapshots snapshots(Provider provider) {
    return Capability.of(provider, Snapshots.class);
  }

  /** The provider's snapshot made for VirtSaga's snapshot id (its name), or null. */
  private Uni<SnapshotInfo> findSnapshot(Provider provider, TaskRequested task) {
    return call(() -> snapshots(provider).listSnapshots(task.vmId(), task.providerRef()))
        .map(
            list ->
                list.stream()
                    .filter(s -> s.name().equals(task.snapshotId()))
                    .findFirst()
                    .orElse(null));
  }

  /** Polls describe until the VM is OFF; cancelled by the task's timeout. */
  private Uni<Observed> awaitOff(Provider provider, String vmId, String providerRef) {
    return pollUntil(
            () -> provider.describe(vmId, providerRef),
            d -> !d.exists() || d.power() == PowerState.OFF)
        .map(
            d -> {
              if (!d.exists()) {
                throw ProviderException.notFound("VM " + vmId + " vanished while shutting down");
              }
              return Observed.of(d);
            });
  }

  /** Polls an asynchronous provider task until it is complete; fails when the task failed. */
  private Uni<Void> awaitTask(Provider provider, String taskRef) {
    return pollUntil(
            () -> provider.taskStatus(taskRef), state -> state.phase() != TaskState.Phase.RUNNING)
        .chain(
            state ->
                state.phase() == TaskState.Phase.FAILED
                    ? Uni.createFrom().failure(state.error())
                    : Uni.createFrom().voidItem());
  }

  /**
   * Calls {@code probe} (on the worker executor) every poll interval until it answers something
   * {@code done} accepts; cancelled by the task's timeout.
   */
  private <T> Uni<T> pollUntil(Supplier<Uni<? extends T>> probe, Predicate<T> done) {
    return this.<T>call(probe)
        .chain(
            answer ->
                done.test(answer)
                    ? Uni.createFrom().item(answer)
                    : Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(settings.pollInterval())
                        .chain(() -> pollUntil(probe, done)));
  }

  /**
   * The VM after it was started: when {@link TaskSettings#guestIpWait()} is set, described again
   * until its guest reports an IP, it stops running, or the wait is over (then without an IP).
   */
  private Uni<Observed> describeWithGuestIp(Provider provider, String vmId, String providerRef) {
    Duration wait = settings.guestIpWait();
    Uni<Observed> first = describe(provider, vmId, providerRef);
    if (wait.isZero()) {
      return first;
    }
    return first.chain(
        started ->
            started.ips() != null && !started.ips().isEmpty()
                ? Uni.createFrom().item(started)
                : this.<Observed>pollUntil(
                        () -> describe(provider, vmId, providerRef),
                        d -> (d.ips() != null && !d.ips().isEmpty()) || d.power() != PowerState.ON)
                    .ifNoItem()
                    .after(wait)
                    .recoverWithUni(() -> describe(provider, vmId, providerRef)));
  }

  private Uni<Observed> describe(Provider provider, String vmId, String providerRef) {
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

  /** What the provider said about the VM after the call, and what the call produced. */
  private record Observed(
      String providerRef, PowerState power, List<String> ips, OperationResult result) {
    static Observed of(VmDescription d) {
      return new Observed(d.providerRef(), d.power(), d.ips(), null);
    }

    Observed withResult(OperationResult newResult) {
      return new Observed(providerRef, power, ips, newResult);
    }
  }
}
