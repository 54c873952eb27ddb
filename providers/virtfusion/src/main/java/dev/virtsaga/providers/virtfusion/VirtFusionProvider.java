package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.Reconfigurable;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.ReconfigureResult;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchSource;
import dev.virtsaga.providers.virtfusion.BuildTracker.Ref;
import dev.virtsaga.providers.virtfusion.VirtFusionWatcher.Observed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The VirtFusion adapter of the provider SPI: one VirtFusion control server ({@code /api/v1}),
 * reached with the Vert.x web client — every method is non-blocking.
 *
 * <p>A VM is a VirtFusion server whose name carries the VM's tag ({@link ServerTag}); its
 * providerRef is the server id. Create allocates the server ({@code POST /servers}, in a hypervisor
 * <em>group</em>), names it with the tag, and queues its build ({@code POST /servers/{id}/build});
 * the returned task follows the build through {@code /queue/{id}}, stops the server VirtFusion
 * started, or deletes the server when the build failed. See the module README for the labels a
 * create reads and for every call's mapping.
 *
 * <p>Capabilities: graceful shutdown, reboot, suspend/resume, create-time root disk sizes ({@code
 * storage}), asynchronous tasks, reconfigure (CPUs and memory; adding or growing disks is
 * NOT_SUPPORTED), watch (polling). Snapshots, clones, migration, disk transfer and consoles are not
 * offered by VirtFusion's API: asking for them is NOT_SUPPORTED.
 */
public final class VirtFusionProvider
    implements Provider, Reconfigurable, WatchSource, AutoCloseable {
  /** The provider's name in task topics ({@code vm.tasks.virtfusion.v1}). */
  public static final String NAME = "virtfusion";

  private static final Logger LOG = Logger.getLogger(VirtFusionProvider.class);
  private static final Pattern PAGE_TOKEN = Pattern.compile("p([0-9]{1,9})-([0-9]{1,18})");

  private final VirtFusionSettings settings;
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final VirtFusionHttp http;
  private final VirtFusionApi api;
  private final CreatePlanner planner;
  private final BuildTracker builds;
  private final VirtFusionWatcher watcher;
  private final KeyedMutex<Long> allocations = new KeyedMutex<>();

  /** vmId → server id, learned from creates and lookups; always checked against the tag. */
  private final Map<String, Long> index = new ConcurrentHashMap<>();

  /** An adapter on the caller's Vert.x (e.g. Quarkus's), which the caller closes. */
  public VirtFusionProvider(VirtFusionSettings settings, Vertx vertx) {
    this(settings, vertx, false);
  }

  private VirtFusionProvider(VirtFusionSettings settings, Vertx vertx, boolean ownsVertx) {
    this.settings = settings;
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.http = new VirtFusionHttp(vertx, settings, new TokenBucket(settings.rateLimit()));
    this.api = new VirtFusionApi(http);
    this.planner = new CreatePlanner(api, settings);
    this.builds = new BuildTracker(api, settings.timeouts());
    this.watcher = new VirtFusionWatcher(this::scanManaged, this::probe, settings.watch());
  }

  /** An adapter on a Vert.x instance of its own, closed with the adapter. */
  public static VirtFusionProvider standalone(VirtFusionSettings settings) {
    return new VirtFusionProvider(settings, Vertx.vertx(), true);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.GRACEFUL_SHUTDOWN,
        Capability.REBOOT,
        Capability.SUSPEND_RESUME,
        Capability.DISKS,
        Capability.ASYNC_TASKS,
        Capability.RECONFIGURE,
        Capability.WATCH);
  }

  public VirtFusionSettings settings() {
    return settings;
  }

  // ---- validate --------------------------------------------------------------------------------

  /** {@code GET /connect}: reachable and the token accepted. */
  @Override
  public Uni<Void> validate() {
    return api.connect();
  }

  // ---- create ----------------------------------------------------------------------------------

  @Override
  public Uni<CreateResult> create(CreateRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              if (!ServerTag.isTaggable(request.vmId())) {
                throw ProviderException.invalidSpec(
                    "a vmId is 1-128 characters without spaces or brackets: " + request.vmId());
              }
              return planner
                  .plan(request)
                  .chain(
                      plan ->
                          allocations
                              .withLock(plan.userId(), () -> findOrAllocate(request, plan))
                              .chain(found -> buildIfNeeded(request, plan, found)));
            });
  }

  private record Found(ServerView server, boolean created) {}

  /**
   * The server of the VM: the one already tagged with its vmId (lowest id, should there be more),
   * else a new one. Runs under the user's lock, so that an allocation whose answer was lost can be
   * recognised among the user's servers.
   */
  private Uni<Found> findOrAllocate(CreateRequest request, CreatePlanner.Plan plan) {
    return api.serversOfUser(plan.userId())
        .chain(
            servers -> {
              Optional<ServerView> mine = taggedWith(servers, request.vmId());
              if (mine.isPresent()) {
                index.put(request.vmId(), mine.get().id());
                return Uni.createFrom().item(new Found(mine.get(), false));
              }
              long newest = servers.stream().mapToLong(ServerView::id).max().orElse(0);
              return allocate(request, plan, newest, 1)
                  .chain(server -> tag(request, server))
                  .map(server -> new Found(server, true));
            });
  }

  /**
   * {@code POST /servers}. When its outcome is uncertain (the answer was lost), the user's servers
   * are looked at: exactly one new, unnamed, unbuilt server is the one this call made; none means
   * it was not made, and it is asked again.
   */
  private Uni<ServerView> allocate(
      CreateRequest request, CreatePlanner.Plan plan, long newestBefore, int attempt) {
    return api.allocate(plan.allocation(request))
        .invoke(
            s ->
                LOG.infof(
                    "allocated VirtFusion server %d for vmId=%s operationId=%s provider=%s",
                    s.id(), request.vmId(), request.operationId(), NAME))
        .onFailure(UncertainOutcomeException.class)
        .recoverWithUni(
            e ->
                api.serversOfUser(plan.userId())
                    .chain(
                        servers -> {
                          List<ServerView> unclaimed =
                              servers.stream()
                                  .filter(s -> s.id() > newestBefore)
                                  .filter(s -> !s.isManaged())
                                  .filter(
                                      s ->
                                          s.commissionStatus() == ServerView.COMMISSION_NONE
                                              && !s.isBuilding())
                                  .toList();
                          if (unclaimed.size() == 1) {
                            LOG.infof(
                                "the answer to allocating a server for vmId=%s was lost (%s);"
                                    + " server %d is the one made",
                                request.vmId(), e.getMessage(), unclaimed.get(0).id());
                            return Uni.createFrom().item(unclaimed.get(0));
                          }
                          if (unclaimed.isEmpty() && attempt < settings.retry().maxAttempts()) {
                            return allocate(request, plan, newestBefore, attempt + 1);
                          }
                          throw new ProviderException(
                              ErrorType.RETRYABLE,
                              unclaimed.isEmpty()
                                  ? "allocating a server failed: " + e.getMessage()
                                  : "allocating a server for vmId="
                                      + request.vmId()
                                      + " lost its answer and user "
                                      + plan.userId()
                                      + " has several new unnamed servers "
                                      + unclaimed.stream().map(ServerView::id).toList()
                                      + "; none is taken",
                              e);
                        }));
  }

  /** Names a new server with the VM's tag; a server that cannot be tagged is deleted again. */
  private Uni<ServerView> tag(CreateRequest request, ServerView server) {
    String name = ServerTag.name(request.name(), request.vmId());
    return api.rename(server.id(), name)
        .map(
            ok -> {
              index.put(request.vmId(), server.id());
              watcher.touch(request.vmId(), server.id());
              return server;
            })
        .onFailure()
        .recoverWithUni(
            e ->
                api.delete(server.id())
                    .onFailure()
                    .invoke(
                        d ->
                            LOG.warnf(
                                "VirtFusion server %d could not be named for vmId=%s (%s) nor"
                                    + " deleted (%s): it is left unmanaged",
                                server.id(), request.vmId(), e.getMessage(), d.getMessage()))
                    .onItemOrFailure()
                    .transformToUni((ok, d) -> Uni.createFrom().<ServerView>failure(e)));
  }

  /** Queues the build of a server that has none yet; the result's task follows it. */
  private Uni<CreateResult> buildIfNeeded(
      CreateRequest request, CreatePlanner.Plan plan, Found found) {
    ServerView server = found.server();
    String ref = Long.toString(server.id());
    if (server.isBuilt()) {
      return Uni.createFrom().item(new CreateResult(ref, null, found.created()));
    }
    if (server.isBuilding()) {
      return Uni.createFrom()
          .item(
              new CreateResult(
                  ref,
                  builds.track(new Ref(server.id(), 0), request.vmId(), request.operationId()),
                  found.created()));
    }
    return build(request, plan, server.id())
        .map(
            buildRef ->
                new CreateResult(
                    ref,
                    builds.track(buildRef, request.vmId(), request.operationId()),
                    found.created()));
  }

  /**
   * {@code POST /servers/{id}/build}. Refused as invalid (422): once more with the user's SSH keys
   * looked up afresh when a cached key id was refused (deleted in VirtFusion meanwhile); else the
   * server is deleted (the compensation) and the create fails INVALID_SPEC.
   */
  private Uni<Ref> build(CreateRequest request, CreatePlanner.Plan plan, long serverId) {
    String keyName = request.labels().get(Labels.SSH_KEY_NAME);
    return queueBuild(request, plan, serverId, 1)
        .onFailure(e -> keyName != null && refusedKeys(e))
        .recoverWithUni(
            e -> {
              planner.forgetSshKeys(plan.userId(), List.of(keyName));
              return planner.plan(request).chain(fresh -> queueBuild(request, fresh, serverId, 1));
            })
        .onFailure(e -> e instanceof ProviderException pe && pe.type() == ErrorType.INVALID_SPEC)
        .recoverWithUni(
            e -> {
              LOG.infof(
                  "VirtFusion refused to build server %d for vmId=%s operationId=%s provider=%s"
                      + " (%s); deleting it",
                  serverId, request.vmId(), request.operationId(), NAME, e.getMessage());
              index.remove(request.vmId(), serverId);
              return api.delete(serverId)
                  .onFailure()
                  .recoverWithNull()
                  .chain(() -> Uni.createFrom().failure(e));
            });
  }

  private static boolean refusedKeys(Throwable e) {
    return e instanceof ProviderException pe
        && pe.type() == ErrorType.INVALID_SPEC
        && pe.getMessage() != null
        && pe.getMessage().toLowerCase(java.util.Locale.ROOT).contains("ssh key");
  }

  /**
   * Sends the build. Lost answer or "already being built" (409): the server's state tells whether
   * the build runs; a lost answer without a running build is sent again.
   */
  private Uni<Ref> queueBuild(
      CreateRequest request, CreatePlanner.Plan plan, long serverId, int attempt) {
    return api.build(serverId, plan.build(request))
        .map(queueId -> new Ref(serverId, queueId))
        .invoke(
            r ->
                LOG.infof(
                    "building VirtFusion server %d (queue %d) for vmId=%s operationId=%s"
                        + " provider=%s",
                    serverId, r.queueId(), request.vmId(), request.operationId(), NAME))
        .onFailure(
            e ->
                e instanceof ProviderException pe
                    && (pe instanceof UncertainOutcomeException || pe.type() == ErrorType.CONFLICT))
        .recoverWithUni(
            e ->
                api.server(serverId)
                    .chain(
                        s -> {
                          if (s.isBuilding() || s.isBuilt()) {
                            return Uni.createFrom().item(new Ref(serverId, 0));
                          }
                          if (attempt < settings.retry().maxAttempts()
                              && e instanceof UncertainOutcomeException) {
                            return queueBuild(request, plan, serverId, attempt + 1);
                          }
                          return Uni.createFrom().failure(e);
                        }));
  }

  @Override
  public Uni<TaskState> taskStatus(String taskRef) {
    return builds.status(taskRef);
  }

  // ---- delete ----------------------------------------------------------------------------------

  /** {@code DELETE /servers/{id}?delay=0}, then waits until the server is gone; absent = done. */
  @Override
  public Uni<Void> delete(String vmId, String providerRef) {
    return resolve(vmId, providerRef)
        .chain(
            found -> {
              if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              long id = found.get().id();
              builds.forget(id);
              watcher.touch(vmId, id);
              return api.delete(id)
                  .onFailure(VirtFusionProvider::isNotFound)
                  .recoverWithNull()
                  .chain(
                      () ->
                          Polling.until(
                              () -> exists(id),
                              exists -> !exists,
                              settings.timeouts().pollInterval(),
                              settings.timeouts().actionComplete(),
                              "the deletion of VirtFusion server " + id))
                  .invoke(
                      () -> {
                        index.remove(vmId, id);
                        LOG.infof(
                            "deleted VirtFusion server %d of vmId=%s provider=%s", id, vmId, NAME);
                      })
                  .replaceWithVoid();
            });
  }

  private Uni<Boolean> exists(long id) {
    return api.server(id)
        .map(s -> true)
        .onFailure(VirtFusionProvider::isNotFound)
        .recoverWithItem(false);
  }

  // ---- power -----------------------------------------------------------------------------------

  @Override
  public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
    return existing(vmId, providerRef)
        .chain(server -> settled(server.id()))
        .chain(
            server -> {
              watcher.touch(vmId, server.id());
              return switch (op) {
                case ON -> on(server);
                case OFF -> off(server);
                case SHUTDOWN_GRACEFUL -> shutdown(server);
                case REBOOT -> reboot(server);
                case SUSPEND -> suspend(server);
                case RESUME -> resume(server);
              };
            });
  }

  /** The server once no build of it is in progress (this process's or another's). */
  private Uni<ServerView> settled(long id) {
    return builds
        .awaitIdle(id)
        .chain(
            () ->
                Polling.until(
                    () -> api.server(id),
                    s -> !s.isBuilding(),
                    settings.timeouts().pollInterval(),
                    settings.timeouts().instanceReady(),
                    "the build of VirtFusion server " + id));
  }

  private Uni<Void> on(ServerView s) {
    Uni<ServerView> awake =
        s.suspended()
            ? api.unsuspend(s.id()).chain(() -> api.server(s.id()))
            : Uni.createFrom().item(s);
    return awake.chain(
        now -> {
          if (now.isRunning()) {
            return Uni.createFrom().voidItem();
          }
          requireBuilt(now, "started");
          return act(now.id(), "boot", ServerView::isRunning);
        });
  }

  private Uni<Void> off(ServerView s) {
    Uni<ServerView> awake =
        s.suspended()
            ? api.unsuspend(s.id()).chain(() -> api.server(s.id()))
            : Uni.createFrom().item(s);
    return awake.chain(
        now ->
            now.isRunning()
                ? act(now.id(), "poweroff", after -> !after.isRunning())
                : Uni.createFrom().voidItem());
  }

  /** {@code power/shutdown} asks the guest; the caller polls describe until OFF. */
  private Uni<Void> shutdown(ServerView s) {
    if (s.suspended()) {
      return off(s);
    }
    if (!s.isRunning()) {
      return Uni.createFrom().voidItem();
    }
    return api.power(s.id(), "shutdown").replaceWithVoid();
  }

  private Uni<Void> reboot(ServerView s) {
    if (!s.isRunning()) {
      throw ProviderException.conflict(
          "VirtFusion server " + s.id() + " is not running (" + describeState(s) + "): no reboot");
    }
    return act(s.id(), "restart", ServerView::isRunning);
  }

  private Uni<Void> suspend(ServerView s) {
    if (s.suspended()) {
      return Uni.createFrom().voidItem();
    }
    if (!s.isRunning()) {
      throw ProviderException.conflict(
          "VirtFusion server " + s.id() + " is not running (" + describeState(s) + "): no suspend");
    }
    return api.suspend(s.id());
  }

  private Uni<Void> resume(ServerView s) {
    if (s.suspended()) {
      return api.unsuspend(s.id());
    }
    if (s.isRunning()) {
      return Uni.createFrom().voidItem();
    }
    throw ProviderException.conflict(
        "VirtFusion server " + s.id() + " is not suspended (" + describeState(s) + "): no resume");
  }

  /** A power action, followed through its queue item, then until the server is in its target. */
  private Uni<Void> act(long id, String action, Predicate<ServerView> target) {
    return api.power(id, action)
        .chain(
            queueId ->
                queueId > 0
                    ? Polling.until(
                            () -> api.queueItem(queueId),
                            VirtFusionApi.QueueItem::finished,
                            settings.timeouts().pollInterval(),
                            settings.timeouts().actionComplete(),
                            action + " of VirtFusion server " + id)
                        .invoke(
                            q -> {
                              if (q.failed()) {
                                throw new ProviderException(
                                    ErrorType.RETRYABLE,
                                    action
                                        + " of VirtFusion server "
                                        + id
                                        + " failed: "
                                        + (q.error() == null ? "no reason given" : q.error()));
                              }
                            })
                        .replaceWithVoid()
                    : Uni.createFrom().voidItem())
        .chain(
            () ->
                Polling.until(
                    () -> api.server(id),
                    target,
                    settings.timeouts().pollInterval(),
                    settings.timeouts().actionComplete(),
                    action + " of VirtFusion server " + id))
        .replaceWithVoid();
  }

  private static void requireBuilt(ServerView s, String what) {
    if (!s.isBuilt()) {
      throw ProviderException.conflict(
          "VirtFusion server " + s.id() + " has no operating system yet: it cannot be " + what);
    }
  }

  private static String describeState(ServerView s) {
    return "state " + s.state() + (s.suspended() ? ", suspended" : "");
  }

  // ---- reconfigure -----------------------------------------------------------------------------

  /**
   * {@code PUT /servers/{id}/modify/cpuCores} ({@code cores}) and {@code /modify/memory} ({@code
   * memory} MB) for the values that differ. Disks: the root disk at its current size is no change;
   * any other disk change is NOT_SUPPORTED (VirtFusion's API cannot add or grow disks), checked
   * before anything changes. A running server takes the new sizes at its next boot ({@code
   * restartRequired}).
   */
  @Override
  public Uni<ReconfigureResult> reconfigure(
      String vmId, String providerRef, ReconfigureRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              return existing(vmId, providerRef)
                  .chain(s -> builds.awaitIdle(s.id()).chain(() -> api.server(s.id())))
                  .chain(
                      s -> {
                        for (ReconfigureRequest.DiskChange d : request.disks()) {
                          boolean sameRoot =
                              "root".equals(d.diskId())
                                  && s.storageGb() != null
                                  && s.storageGb() == d.sizeGiB();
                          if (!sameRoot) {
                            throw ProviderException.notSupported(
                                "VirtFusion's API cannot add or resize disks (asked: "
                                    + d.diskId()
                                    + " at "
                                    + d.sizeGiB()
                                    + " GiB; the server's disk is "
                                    + s.storageGb()
                                    + " GiB)");
                          }
                        }
                        boolean cpus =
                            request.cpus() != null && !request.cpus().equals(s.cpuCores());
                        boolean memory =
                            request.memoryMiB() != null
                                && (s.memoryMb() == null
                                    || request.memoryMiB() != s.memoryMb().longValue());
                        Uni<Void> change = Uni.createFrom().voidItem();
                        if (cpus) {
                          change = change.chain(() -> api.modifyCpuCores(s.id(), request.cpus()));
                        }
                        if (memory) {
                          change =
                              change.chain(() -> api.modifyMemory(s.id(), request.memoryMiB()));
                        }
                        boolean changed = cpus || memory;
                        return change.map(
                            ok -> new ReconfigureResult(changed, changed && s.isRunning(), null));
                      });
            });
  }

  // ---- describe and list -----------------------------------------------------------------------

  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return resolve(vmId, providerRef)
        .map(found -> found.map(s -> s.describe(vmId)).orElse(VmDescription.absent(vmId)));
  }

  /**
   * Pages through {@code GET /servers} (full records, id order), keeping the tagged servers. The
   * page token {@code p<page>-<lastServerId>} resumes after the last server returned.
   */
  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Page.requireSize(pageSize);
              int page = 1;
              long after = 0;
              if (pageToken != null) {
                Matcher m = PAGE_TOKEN.matcher(pageToken);
                if (!m.matches()) {
                  throw ProviderException.invalidSpec(
                      "not a page token of this list: " + pageToken);
                }
                page = Integer.parseInt(m.group(1));
                after = Long.parseLong(m.group(2));
              }
              return collect(page, after, pageSize, new ArrayList<>(), page > 1);
            });
  }

  private Uni<Page<VmDescription>> collect(
      int page, long after, int pageSize, List<VmDescription> items, boolean mayStepBack) {
    return api.servers(page)
        .chain(
            p -> {
              List<ServerView> servers =
                  p.items().stream()
                      .map(ServerView::of)
                      .sorted(Comparator.comparingLong(ServerView::id))
                      .toList();
              if (mayStepBack && !servers.isEmpty() && servers.get(0).id() > after) {
                // deletions moved servers we have not returned yet to the page before
                return collect(page - 1, after, pageSize, items, false);
              }
              for (ServerView s : servers) {
                if (s.id() <= after || s.vmId().isEmpty()) {
                  continue;
                }
                index.put(s.vmId().get(), s.id());
                items.add(s.describe(s.vmId().get()));
                if (items.size() == pageSize) {
                  return Uni.createFrom().item(new Page<>(items, "p" + page + "-" + s.id()));
                }
              }
              if (p.hasNext() && !p.items().isEmpty()) {
                long last = servers.isEmpty() ? after : servers.get(servers.size() - 1).id();
                return collect(page + 1, Math.max(after, last), pageSize, items, false);
              }
              return Uni.createFrom().item(new Page<>(items, null));
            });
  }

  // ---- watch -----------------------------------------------------------------------------------

  @Override
  public Uni<VmList> listWithVersion() {
    return watcher.list();
  }

  @Override
  public Multi<WatchEvent> watch(String resourceVersion) {
    return watcher.watch(resourceVersion);
  }

  /** The watcher, for tests (to end its epoch as a lost connection would). */
  VirtFusionWatcher watcher() {
    return watcher;
  }

  private Uni<List<Observed>> scanManaged() {
    return VirtFusionApi.all(api::servers)
        .map(
            all -> {
              List<Observed> managed = new ArrayList<>();
              all.stream()
                  .map(ServerView::of)
                  .filter(ServerView::isManaged)
                  .sorted(Comparator.comparingLong(ServerView::id))
                  .forEach(
                      s -> {
                        String vmId = s.vmId().get();
                        if (managed.stream().noneMatch(o -> o.vmId().equals(vmId))) {
                          managed.add(
                              new Observed(vmId, s.id(), s.describe(vmId), s.inTransition()));
                        }
                      });
              return managed;
            });
  }

  private Uni<Optional<Observed>> probe(long serverId) {
    return api.server(serverId)
        .map(
            s ->
                s.vmId()
                    .map(vmId -> new Observed(vmId, s.id(), s.describe(vmId), s.inTransition())))
        .onFailure(VirtFusionProvider::isNotFound)
        .recoverWithItem(Optional.empty());
  }

  // ---- hypervisors -----------------------------------------------------------------------------

  /** The hypervisor groups (placement targets) with their network profiles. */
  public Uni<List<HypervisorGroup>> hypervisorGroups() {
    return planner.groups();
  }

  /** The hypervisors, as VirtFusion describes them ({@code GET /compute/hypervisors}). */
  public Uni<List<JsonObject>> hypervisors() {
    return VirtFusionApi.all(api::hypervisors);
  }

  // ---- finding a VM's server -------------------------------------------------------------------

  private Uni<ServerView> existing(String vmId, String providerRef) {
    return resolve(vmId, providerRef)
        .map(
            found ->
                found.orElseThrow(
                    () -> ProviderException.notFound("VM " + vmId + " has no VirtFusion server")));
  }

  /**
   * The server of a VM: the providerRef's (when it carries the VM's tag; a 404 means gone), else
   * the one the index remembers, else a scan of all servers for the tag.
   */
  private Uni<Optional<ServerView>> resolve(String vmId, String providerRef) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Long byRef = parseRef(providerRef);
              if (byRef != null) {
                return byId(byRef, vmId)
                    .chain(
                        r ->
                            r.gone()
                                ? Uni.createFrom().item(Optional.<ServerView>empty())
                                : r.server().isPresent()
                                    ? Uni.createFrom().item(r.server())
                                    : fromIndexOrScan(vmId));
              }
              return fromIndexOrScan(vmId);
            });
  }

  private Uni<Optional<ServerView>> fromIndexOrScan(String vmId) {
    Long known = index.get(vmId);
    Uni<Optional<ServerView>> fromIndex =
        known == null
            ? Uni.createFrom().item(Optional.empty())
            : byId(known, vmId).map(ById::server);
    return fromIndex.chain(
        hit -> {
          if (hit.isPresent()) {
            return Uni.createFrom().item(hit);
          }
          if (known != null) {
            index.remove(vmId, known);
          }
          return scanFor(vmId);
        });
  }

  private record ById(Optional<ServerView> server, boolean gone) {}

  /** A server by id: present when it carries the vmId's tag; {@code gone} on 404. */
  private Uni<ById> byId(long id, String vmId) {
    return api.server(id)
        .map(
            s ->
                new ById(
                    s.vmId().filter(vmId::equals).isPresent() ? Optional.of(s) : Optional.empty(),
                    false))
        .onFailure(VirtFusionProvider::isNotFound)
        .recoverWithItem(new ById(Optional.empty(), true));
  }

  private Uni<Optional<ServerView>> scanFor(String vmId) {
    return scanFor(vmId, 1);
  }

  private Uni<Optional<ServerView>> scanFor(String vmId, int page) {
    return api.servers(page)
        .chain(
            p -> {
              Optional<ServerView> hit =
                  p.items().stream()
                      .map(ServerView::of)
                      .filter(s -> s.vmId().filter(vmId::equals).isPresent())
                      .min(Comparator.comparingLong(ServerView::id));
              if (hit.isPresent()) {
                index.put(vmId, hit.get().id());
                return Uni.createFrom().item(hit);
              }
              return p.hasNext() && !p.items().isEmpty()
                  ? scanFor(vmId, page + 1)
                  : Uni.createFrom().item(Optional.<ServerView>empty());
            });
  }

  private static Optional<ServerView> taggedWith(List<ServerView> servers, String vmId) {
    List<ServerView> mine =
        servers.stream().filter(s -> s.vmId().filter(vmId::equals).isPresent()).toList();
    if (mine.size() > 1) {
      LOG.warnf(
          "vmId=%s is tagged on several VirtFusion servers %s; using the first",
          vmId, mine.stream().map(ServerView::id).toList());
    }
    return mine.stream().min(Comparator.comparingLong(ServerView::id));
  }

  private static Long parseRef(String providerRef) {
    if (providerRef == null || !providerRef.matches("[0-9]{1,18}")) {
      return null;
    }
    return Long.parseLong(providerRef);
  }

  private static boolean isNotFound(Throwable e) {
    return e instanceof ProviderException pe && pe.type() == ErrorType.NOT_FOUND;
  }

  @Override
  public void close() {
    watcher.close();
    builds.close();
    http.close();
    if (ownsVertx) {
      vertx.closeAndAwait();
    }
  }
}
