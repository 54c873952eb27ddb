package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.spi.TaskState;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The asynchronous part of a create: a server's build, followed through VirtFusion's queue, then
 * the server stopped (VirtFusion boots a server when its build ends; the SPI's create leaves it
 * stopped) — or, when the build fails, the half-made server deleted (the compensation).
 *
 * <p>Each build is finished by one background pipeline per server in this process, started by the
 * create and restarted on demand by {@link #status} (e.g. after a worker restart), so that the
 * outcome does not depend on anyone polling. Its task reference is {@code
 * vf-build:<serverId>:<queueId>} ({@code queueId} 0 when VirtFusion did not say: the server's state
 * is followed instead). Finished outcomes are remembered (the last {@value #REMEMBERED}).
 */
final class BuildTracker implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BuildTracker.class);
  private static final int REMEMBERED = 4096;
  private static final Pattern REF = Pattern.compile("vf-build:([0-9]{1,18}):([0-9]{1,18})");

  /** A build: the server, and its queue item (0 = unknown). */
  record Ref(long serverId, long queueId) {
    String format() {
      return "vf-build:" + serverId + ":" + queueId;
    }

    static Optional<Ref> parse(String taskRef) {
      Matcher m = taskRef == null ? null : REF.matcher(taskRef);
      if (m == null || !m.matches()) {
        return Optional.empty();
      }
      return Optional.of(new Ref(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }
  }

  private final class Tracked {
    final Ref ref;
    final AtomicReference<TaskState> state;
    final Uni<TaskState> outcome;
    volatile Cancellable running;

    /** The server is being deleted: the pipeline ends without touching it. */
    volatile boolean forgotten;

    /** Who the build is for, in log lines: {@code vmId=… operationId=… provider=virtfusion}. */
    final String context;

    Tracked(Ref ref, String context) {
      this.ref = ref;
      this.context = context;
      this.state = new AtomicReference<>(TaskState.running(ref.format(), 0));
      this.outcome = finish(this).memoize().indefinitely();
    }
  }

  private final VirtFusionApi api;
  private final ProviderTimeouts timeouts;
  private final Map<Long, Tracked> active = new ConcurrentHashMap<>();
  private final Map<String, TaskState> finished =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
          return size() > REMEMBERED;
        }
      };

  BuildTracker(VirtFusionApi api, ProviderTimeouts timeouts) {
    this.api = api;
    this.timeouts = timeouts;
  }

  /**
   * Starts finishing a build (once per server); returns its task reference — that of the build
   * already followed when {@code ref} does not name its queue item.
   */
  String track(Ref ref, String vmId, String operationId) {
    return ensure(ref, "vmId=" + vmId + " operationId=" + operationId + " provider=virtfusion")
        .ref
        .format();
  }

  /**
   * The state of a build task: remembered when finished, else that of the pipeline finishing it
   * (started now when none runs in this process).
   *
   * @throws ProviderException NOT_FOUND for a reference that is not a build of this adapter, or
   *     whose queue item VirtFusion does not know
   */
  Uni<TaskState> status(String taskRef) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Ref ref =
                  Ref.parse(taskRef)
                      .orElseThrow(() -> ProviderException.notFound("unknown task " + taskRef));
              TaskState done = remembered(taskRef);
              if (done != null) {
                return Uni.createFrom().item(done);
              }
              Tracked t = active.get(ref.serverId());
              if (t != null && t.ref.equals(ref)) {
                return Uni.createFrom().item(t.state.get());
              }
              // Not followed here (another process started it, or this one restarted): check
              // that VirtFusion knows the build, then follow it.
              Uni<Void> known =
                  ref.queueId() > 0
                      ? api.queueItem(ref.queueId()).replaceWithVoid()
                      : api.server(ref.serverId()).replaceWithVoid();
              return known
                  .onFailure(
                      e -> e instanceof ProviderException pe && pe.type() == ErrorType.NOT_FOUND)
                  .transform(e -> ProviderException.notFound("unknown task " + taskRef))
                  .map(ok -> ensure(ref, "task=" + taskRef + " provider=virtfusion").state.get());
            });
  }

  /**
   * Completes when no build of the server is being finished in this process (at once when none is),
   * so that a power or reconfigure call never races the stop after a build.
   */
  Uni<Void> awaitIdle(long serverId) {
    Tracked t = active.get(serverId);
    return t == null ? Uni.createFrom().voidItem() : t.outcome.replaceWithVoid();
  }

  /** Stops following a server's build (it is being deleted). */
  void forget(long serverId) {
    Tracked t = active.remove(serverId);
    if (t != null) {
      t.forgotten = true;
      if (t.running != null) {
        t.running.cancel();
      }
    }
  }

  private Tracked ensure(Ref ref, String context) {
    Tracked[] started = new Tracked[1];
    Tracked t =
        active.compute(
            ref.serverId(),
            (id, old) -> {
              if (old != null && (old.ref.equals(ref) || ref.queueId() == 0)) {
                return old;
              }
              if (old != null && old.running != null) {
                old.running.cancel();
              }
              started[0] = new Tracked(ref, context);
              return started[0];
            });
    if (started[0] != null) {
      Tracked s = started[0];
      s.running =
          s.outcome
              .subscribe()
              .with(
                  state -> {
                    remember(s.ref.format(), state);
                    active.remove(s.ref.serverId(), s);
                  },
                  e -> {
                    remember(
                        s.ref.format(),
                        TaskState.failed(
                            s.ref.format(),
                            e instanceof ProviderException pe
                                ? pe
                                : new ProviderException(
                                    ErrorType.RETRYABLE, "finishing the build failed: " + e, e)));
                    active.remove(s.ref.serverId(), s);
                  });
    }
    return t;
  }

  /** The pipeline: wait for the build, then stop the server, or delete it when the build failed. */
  private Uni<TaskState> finish(Tracked t) {
    Ref ref = t.ref;
    String taskRef = ref.format();
    return awaitBuild(t)
        .chain(
            failure -> {
              if (t.forgotten) {
                throw deletedMeanwhile(ref);
              }
              if (failure != null) {
                return compensate(t, failure);
              }
              return stopAfterBuild(ref.serverId())
                  .map(
                      ok -> {
                        LOG.infof(
                            "build of VirtFusion server %d finished, server stopped %s",
                            ref.serverId(), t.context);
                        return TaskState.succeeded(taskRef);
                      });
            })
        .onFailure()
        .recoverWithItem(
            e ->
                TaskState.failed(
                    taskRef,
                    e instanceof ProviderException pe
                        ? pe
                        : new ProviderException(ErrorType.RETRYABLE, String.valueOf(e), e)))
        .invoke(t.state::set);
  }

  /** Waits for the build's end; the item is {@code null} on success, else why it failed. */
  private Uni<String> awaitBuild(Tracked t) {
    Ref ref = t.ref;
    String what = "the build of VirtFusion server " + ref.serverId();
    if (ref.queueId() > 0) {
      return Polling.until(
              () ->
                  unlessForgotten(t)
                      .chain(() -> api.queueItem(ref.queueId()))
                      .invoke(
                          q -> {
                            if (!q.finished()) {
                              t.state.set(TaskState.running(ref.format(), q.progress()));
                            }
                          }),
              VirtFusionApi.QueueItem::finished,
              timeouts.pollInterval(),
              timeouts.instanceReady(),
              what)
          .map(q -> q.failed() ? (q.error() == null ? "the queue item failed" : q.error()) : null);
    }
    return Polling.until(
            () -> unlessForgotten(t).chain(() -> api.server(ref.serverId())),
            s -> !s.isBuilding(),
            timeouts.pollInterval(),
            timeouts.instanceReady(),
            what)
        .map(s -> s.isBuilt() && !s.buildFailed() ? null : "the server was not built");
  }

  private static Uni<Void> unlessForgotten(Tracked t) {
    return t.forgotten
        ? Uni.createFrom().failure(deletedMeanwhile(t.ref))
        : Uni.createFrom().voidItem();
  }

  private static ProviderException deletedMeanwhile(Ref ref) {
    return ProviderException.notFound(
        "VirtFusion server " + ref.serverId() + " was deleted while being built");
  }

  /** Powers a freshly built server off (VirtFusion started it) and waits until it is stopped. */
  private Uni<Void> stopAfterBuild(long serverId) {
    return api.server(serverId)
        .chain(
            s -> {
              if (!s.isRunning()) {
                return Uni.createFrom().voidItem();
              }
              return api.power(serverId, "poweroff")
                  .chain(
                      queueId ->
                          Polling.until(
                              () -> api.server(serverId),
                              after -> !after.isRunning(),
                              timeouts.pollInterval(),
                              timeouts.actionComplete(),
                              "stopping VirtFusion server " + serverId + " after its build"))
                  .replaceWithVoid();
            });
  }

  /** Deletes the half-made server of a failed build; the task then FAILED with the reason. */
  private Uni<TaskState> compensate(Tracked t, String why) {
    Ref ref = t.ref;
    LOG.infof(
        "build of VirtFusion server %d failed (%s); deleting the server %s",
        ref.serverId(), why, t.context);
    return api.delete(ref.serverId())
        .onFailure(e -> e instanceof ProviderException pe && pe.type() == ErrorType.NOT_FOUND)
        .recoverWithNull()
        .map(
            ok ->
                TaskState.failed(
                    ref.format(),
                    new ProviderException(
                        ErrorType.RETRYABLE,
                        "the build of VirtFusion server "
                            + ref.serverId()
                            + " failed: "
                            + why
                            + "; the server was deleted")));
  }

  private synchronized TaskState remembered(String taskRef) {
    return finished.get(taskRef);
  }

  private synchronized void remember(String taskRef, TaskState state) {
    finished.put(taskRef, state);
  }

  @Override
  public void close() {
    active.values().forEach(t -> Optional.ofNullable(t.running).ifPresent(Cancellable::cancel));
    active.clear();
  }
}
