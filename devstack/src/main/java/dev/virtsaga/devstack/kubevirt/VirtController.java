package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The simulated virt-controller (and the bits of virt-handler and the scheduler it stands in for).
 *
 * <p>Like the real one it only talks to the API: fabric8 informers (list, then watch from the
 * listed resourceVersion) on the KubeVirt objects feed a work queue of object keys; one worker
 * thread reconciles each key by reading the objects (GET), moving them at most one step and writing
 * them back (PUT/PATCH with resourceVersion preconditions; a conflict just requeues). Steps that
 * take time ({@link KubeVirtFaults#stepDelay()}) requeue their key for when they are due. A slow
 * full resync (every 2 s) and a garbage collector (objects whose owner is gone) back the events up.
 */
final class VirtController implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(VirtController.class.getName());
  private static final long RESYNC_MS = 2000;

  /** What a work item reconciles: a VM (with its VMI), a migration, snapshot, restore or clone. */
  record Key(KubeVirtResource kind, String namespace, String name) {}

  final ApiOps ops;
  final KubeVirtFaults faults;
  final Discovery discovery;
  final Placement placement = new Placement();
  final Duration restoreGracePeriod;

  private final VmReconciler vms;
  private final MigrationReconciler migrations;
  private final SnapshotReconciler snapshots;
  private final RestoreReconciler restores;
  private final CloneReconciler clones;

  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "kubevirt-sim-controller");
            t.setDaemon(true);
            return t;
          });
  private final Object queueLock = new Object();
  private final Map<Key, Long> due = new HashMap<>();
  private final Map<String, Long> clocks = new ConcurrentHashMap<>();
  private final Map<KubeVirtResource, SharedIndexInformer<GenericKubernetesResource>> informers =
      new java.util.EnumMap<>(KubeVirtResource.class);
  private volatile boolean closed;

  VirtController(
      ApiOps ops, KubeVirtFaults faults, Discovery discovery, Duration restoreGracePeriod) {
    this.ops = ops;
    this.faults = faults;
    this.discovery = discovery;
    this.restoreGracePeriod = restoreGracePeriod;
    this.vms = new VmReconciler(this);
    this.migrations = new MigrationReconciler(this);
    this.snapshots = new SnapshotReconciler(this);
    this.restores = new RestoreReconciler(this);
    this.clones = new CloneReconciler(this);
  }

  void start() {
    watch(KubeVirtResource.VIRTUAL_MACHINE, KubeVirtResource.VIRTUAL_MACHINE);
    watch(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE, KubeVirtResource.VIRTUAL_MACHINE);
    watch(
        KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION,
        KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION);
    watch(KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT, KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT);
    watch(KubeVirtResource.VIRTUAL_MACHINE_RESTORE, KubeVirtResource.VIRTUAL_MACHINE_RESTORE);
    watch(KubeVirtResource.VIRTUAL_MACHINE_CLONE, KubeVirtResource.VIRTUAL_MACHINE_CLONE);
    faults.onChange(() -> submit(this::resync));
    worker.scheduleWithFixedDelay(this::sweep, RESYNC_MS, RESYNC_MS, TimeUnit.MILLISECONDS);
  }

  private void watch(KubeVirtResource kind, KubeVirtResource reconciler) {
    if (!discovery.serves(kind)) {
      return;
    }
    ResourceEventHandler<GenericKubernetesResource> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource obj) {
            changed(kind, reconciler, obj);
          }

          @Override
          public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
            changed(kind, reconciler, newObj);
          }

          @Override
          public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
            changed(kind, reconciler, obj);
            collectSoon(); // what it owned goes too
          }
        };
    informers.put(
        kind,
        ops.client()
            .genericKubernetesResources(kind.context())
            .inAnyNamespace()
            .inform(handler, 0));
  }

  private void changed(
      KubeVirtResource kind, KubeVirtResource reconciler, GenericKubernetesResource obj) {
    String ns = obj.getMetadata().getNamespace();
    enqueue(new Key(reconciler, ns, obj.getMetadata().getName()), 0);
    // Objects that wait for others: wake them when those change.
    if (kind == KubeVirtResource.VIRTUAL_MACHINE
        || kind == KubeVirtResource.VIRTUAL_MACHINE_INSTANCE
        || kind == KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT
        || kind == KubeVirtResource.VIRTUAL_MACHINE_RESTORE) {
      enqueueCached(KubeVirtResource.VIRTUAL_MACHINE_RESTORE, ns);
      enqueueCached(KubeVirtResource.VIRTUAL_MACHINE_CLONE, ns);
    }
    if (kind == KubeVirtResource.VIRTUAL_MACHINE_INSTANCE) {
      enqueueCached(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION, ns);
    }
    if (kind == KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT) {
      String vm = KubeJson.text(ApiOps.toNode(obj), "spec", "source", "name");
      if (vm != null) {
        enqueue(new Key(KubeVirtResource.VIRTUAL_MACHINE, ns, vm), 0);
      }
    }
  }

  /** Enqueues every cached object of {@code kind} in {@code namespace}. */
  private void enqueueCached(KubeVirtResource kind, String namespace) {
    SharedIndexInformer<GenericKubernetesResource> inf = informers.get(kind);
    if (inf == null) {
      return;
    }
    for (GenericKubernetesResource r : inf.getStore().list()) {
      if (namespace == null || namespace.equals(r.getMetadata().getNamespace())) {
        enqueue(new Key(kind, r.getMetadata().getNamespace(), r.getMetadata().getName()), 0);
      }
    }
  }

  /** Enqueues every cached object (after a fault changed, and every {@value #RESYNC_MS} ms). */
  private void resync() {
    informers.forEach(
        (kind, inf) -> {
          KubeVirtResource reconciler =
              kind == KubeVirtResource.VIRTUAL_MACHINE_INSTANCE
                  ? KubeVirtResource.VIRTUAL_MACHINE
                  : kind;
          for (GenericKubernetesResource r : inf.getStore().list()) {
            enqueue(
                new Key(reconciler, r.getMetadata().getNamespace(), r.getMetadata().getName()), 0);
          }
        });
  }

  private final java.util.concurrent.atomic.AtomicBoolean collectPending =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Runs the garbage collector shortly (once for a burst of deletions). */
  private void collectSoon() {
    if (collectPending.compareAndSet(false, true)) {
      try {
        worker.schedule(
            () -> {
              collectPending.set(false);
              try {
                collectGarbage();
              } catch (RuntimeException e) {
                LOG.log(Level.FINE, "garbage collection: " + e.getMessage());
              }
            },
            20,
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        collectPending.set(false);
      }
    }
  }

  // ---- the work queue ----

  /** Reconciles {@code key} after {@code delayMs} (or sooner, if it is already due sooner). */
  void enqueue(Key key, long delayMs) {
    if (closed) {
      return;
    }
    long when = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs);
    synchronized (queueLock) {
      Long existing = due.get(key);
      if (existing != null && existing - when <= 0) {
        return;
      }
      due.put(key, when);
    }
    try {
      worker.schedule(() -> runIfDue(key, when), Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void submit(Runnable task) {
    try {
      worker.execute(task);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void runIfDue(Key key, long when) {
    synchronized (queueLock) {
      Long d = due.get(key);
      if (d == null || d != when) {
        return;
      }
      due.remove(key);
    }
    if (closed) {
      return;
    }
    try {
      switch (key.kind()) {
        case VIRTUAL_MACHINE -> vms.reconcile(key);
        case VIRTUAL_MACHINE_INSTANCE_MIGRATION -> migrations.reconcile(key);
        case VIRTUAL_MACHINE_SNAPSHOT -> snapshots.reconcile(key);
        case VIRTUAL_MACHINE_RESTORE -> restores.reconcile(key);
        case VIRTUAL_MACHINE_CLONE -> clones.reconcile(key);
        default -> {}
      }
    } catch (KubernetesClientException e) {
      // Conflicts (someone wrote meanwhile), objects gone meanwhile: try again shortly.
      if (!closed) {
        LOG.log(Level.FINE, "reconcile " + key + ": " + e.getCode() + " " + e.getMessage());
        enqueue(key, e.getCode() == 409 || e.getCode() == 404 ? 20 : 200);
      }
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.log(Level.WARNING, "reconcile " + key + " failed", e);
        enqueue(key, 1000);
      }
    }
  }

  // ---- step timing ----

  /**
   * Whether the step named {@code clock} has lasted one step delay since first asked about; if not,
   * {@code key} is requeued for when it has.
   */
  boolean elapsed(String clock, Key key) {
    long now = System.nanoTime();
    long start = clocks.computeIfAbsent(clock, c -> now);
    long left = start + faults.stepDelay().toNanos() - now;
    if (left <= 0) {
      return true;
    }
    enqueue(key, TimeUnit.NANOSECONDS.toMillis(left) + 1);
    return false;
  }

  /**
   * Starts the step named {@code clock} now (when its phase was written) and requeues {@code key}
   * for when it is due, so a step takes the step delay, not the delay plus the time to notice it.
   */
  void begin(String clock, Key key) {
    clocks.put(clock, System.nanoTime());
    enqueue(key, faults.stepDelay().toMillis() + 1);
  }

  void resetClock(String clock) {
    clocks.remove(clock);
  }

  /** Requeues {@code key} at {@code instant} (at once when past). */
  void requeueAt(Key key, Instant instant) {
    long ms = Duration.between(Instant.now(), instant).toMillis();
    enqueue(key, Math.max(0, ms) + 1);
  }

  // ---- garbage collection and resync ----

  private void sweep() {
    if (closed) {
      return;
    }
    try {
      resync();
      collectGarbage();
      long horizon = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);
      clocks.values().removeIf(t -> t - horizon < 0);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "sweep: " + e.getMessage());
    }
  }

  /**
   * Deletes what the Kubernetes garbage collector would: objects whose owner (by uid) is gone, and
   * Events older than an hour.
   */
  private void collectGarbage() {
    Set<String> owners = new HashSet<>();
    List<KubeVirtResource> ownerKinds =
        List.of(
            KubeVirtResource.VIRTUAL_MACHINE,
            KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT,
            KubeVirtResource.VIRTUAL_MACHINE_CLONE);
    for (KubeVirtResource k : ownerKinds) {
      if (discovery.serves(k)) {
        ops.list(k).forEach(o -> owners.add(KubeJson.uid(o)));
      }
    }
    List<KubeVirtResource> owned =
        List.of(
            KubeVirtResource.VIRTUAL_MACHINE_INSTANCE,
            KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT_CONTENT,
            KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT,
            KubeVirtResource.VIRTUAL_MACHINE_RESTORE);
    for (KubeVirtResource k : owned) {
      if (!discovery.serves(k)) {
        continue;
      }
      for (ObjectNode o : ops.list(k)) {
        JsonNode refs = KubeJson.at(o, "metadata", "ownerReferences");
        if (refs.size() == 0 || KubeJson.deleting(o)) {
          continue;
        }
        boolean orphan = true;
        for (JsonNode ref : refs) {
          if (owners.contains(ref.path("uid").asText())) {
            orphan = false;
          }
        }
        if (orphan) {
          ops.delete(k, KubeJson.namespace(o), KubeJson.name(o));
        }
      }
    }
    Instant old = Instant.now().minus(Duration.ofHours(1));
    ops.client()
        .v1()
        .events()
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(
            e -> {
              Instant last = KubeJson.parseTime(e.getLastTimestamp());
              if (last != null && last.isBefore(old)) {
                ops.client()
                    .v1()
                    .events()
                    .inNamespace(e.getMetadata().getNamespace())
                    .resource(e)
                    .delete();
              }
            });
  }

  @Override
  public void close() {
    closed = true;
    informers.values().forEach(SharedIndexInformer::close);
    worker.shutdownNow();
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
