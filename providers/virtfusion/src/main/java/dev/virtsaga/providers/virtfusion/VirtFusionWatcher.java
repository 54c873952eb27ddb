package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchEvent.Type;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The {@link dev.virtsaga.providers.spi.WatchSource} of the VirtFusion adapter. VirtFusion has no
 * watch API, so it polls, while at least one watch is open:
 *
 * <ul>
 *   <li>every {@code fastInterval}, the servers in transition — being built, being deleted, in an
 *       unknown state, or touched by an operation of this adapter within the last {@code
 *       slowInterval} — one {@code GET /servers/{id}} each;
 *   <li>every {@code slowInterval}, all servers ({@code GET /servers}, paged), which finds servers
 *       made or deleted by others and every stable server's changes.
 * </ul>
 *
 * <p>Each observed difference (a managed server new, gone, or with another power state or IPs) is
 * an ADDED / MODIFIED / DELETED event with version {@code <epoch>-<counter>}; the last {@value
 * #HISTORY} are kept so a watch resumes from an event's version. {@link #connectionLost} ends the
 * epoch: open watches get GONE and complete, and the old versions are GONE at once.
 */
final class VirtFusionWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VirtFusionWatcher.class);
  static final int HISTORY = 1024;

  /** One managed server as seen by a poll. */
  record Observed(String vmId, long serverId, VmDescription vm, boolean inTransition) {}

  private record Known(long serverId, VmDescription vm, boolean inTransition) {}

  private final Supplier<Uni<List<Observed>>> scanAll;
  private final Function<Long, Uni<Optional<Observed>>> probe;
  private final Duration fast;
  private final Duration slow;

  // all below guarded by this
  private String epoch = newEpoch();
  private long counter;
  private final Map<String, Known> known = new HashMap<>();
  private final Map<String, Long> touched = new HashMap<>(); // vmId -> serverId
  private final Map<String, Long> touchedUntil = new HashMap<>(); // vmId -> nanoTime
  private final Deque<WatchEvent> history = new ArrayDeque<>();
  private final Set<MultiEmitter<? super WatchEvent>> watchers = new LinkedHashSet<>();
  private Cancellable ticker;
  private boolean polling;
  private long lastFullScan;
  private boolean scannedOnce;
  private boolean closed;

  /**
   * @param scanAll lists every managed server (full scan)
   * @param probe reads one server by id; empty when it is gone or no longer managed
   */
  VirtFusionWatcher(
      Supplier<Uni<List<Observed>>> scanAll,
      Function<Long, Uni<Optional<Observed>>> probe,
      VirtFusionSettings.Watch settings) {
    this.scanAll = scanAll;
    this.probe = probe;
    this.fast = settings.fastInterval();
    this.slow = settings.slowInterval();
  }

  /** Every managed VM and the version to watch from (a full scan, reconciled into the state). */
  Uni<VmList> list() {
    return Uni.createFrom()
        .deferred(
            () -> {
              String epochAtStart;
              synchronized (this) {
                if (closed) {
                  throw ProviderException.unavailable("the VirtFusion watcher is closed", null);
                }
                epochAtStart = epoch;
              }
              return scanAll
                  .get()
                  .map(
                      all -> {
                        synchronized (this) {
                          if (epoch.equals(epochAtStart)) {
                            reconcileAll(all);
                          } else {
                            // the epoch ended meanwhile: this listing is the new epoch's baseline
                            known.clear();
                            all.forEach(
                                o ->
                                    known.put(
                                        o.vmId(),
                                        new Known(o.serverId(), o.vm(), o.inTransition())));
                            lastFullScan = System.nanoTime();
                            scannedOnce = true;
                          }
                          List<VmDescription> items =
                              new ArrayList<>(known.values().stream().map(Known::vm).toList());
                          items.sort(Comparator.comparing(VmDescription::vmId));
                          return new VmList(items, epoch + "-" + counter);
                        }
                      });
            });
  }

  /**
   * The changes after {@code resourceVersion}. A subscriber that falls more than {@value #HISTORY}
   * events behind gets GONE.
   */
  Multi<WatchEvent> watch(String resourceVersion) {
    return Multi.createFrom()
        .<WatchEvent>emitter(
            emitter -> {
              synchronized (this) {
                long from = counterOf(resourceVersion);
                long oldest =
                    history.isEmpty()
                        ? counter + 1
                        : counterOf(history.peekFirst().resourceVersion());
                if (closed || from < 0 || from > counter || from < oldest - 1) {
                  emitter.emit(WatchEvent.gone());
                  emitter.complete();
                  return;
                }
                for (WatchEvent e : history) {
                  if (counterOf(e.resourceVersion()) > from) {
                    emitter.emit(e);
                  }
                }
                watchers.add(emitter);
                emitter.onTermination(() -> unwatch(emitter));
                startPolling();
              }
            },
            BackPressureStrategy.IGNORE)
        .onOverflow()
        .buffer(HISTORY)
        .onFailure(BackPressureFailure.class)
        .recoverWithItem(WatchEvent.gone());
  }

  /**
   * An operation of the adapter changed this VM (created, powered, deleted): it is polled with the
   * fast interval for a while.
   */
  synchronized void touch(String vmId, long serverId) {
    touched.put(vmId, serverId);
    touchedUntil.put(vmId, System.nanoTime() + Math.max(slow.toNanos(), fast.toNanos() * 10));
  }

  /** Ends the epoch as a lost connection would: watches get GONE, old versions are unknown. */
  synchronized void connectionLost(String why) {
    LOG.warnf("VirtFusion watch epoch %s ended (%s): watchers must relist", epoch, why);
    epoch = newEpoch();
    counter = 0;
    history.clear();
    known.clear();
    scannedOnce = false;
    List<MultiEmitter<? super WatchEvent>> gone = List.copyOf(watchers);
    watchers.clear();
    stopPolling();
    for (MultiEmitter<? super WatchEvent> w : gone) {
      w.emit(WatchEvent.gone());
      w.complete();
    }
  }

  // ---- polling ----------------------------------------------------------------------------------

  private void startPolling() {
    if (ticker != null || closed) {
      return;
    }
    ticker =
        Multi.createFrom()
            .ticks()
            .every(fast)
            .subscribe()
            .with(tick -> pollOnce(), e -> LOG.errorf("VirtFusion watch ticker stopped: %s", e));
  }

  private void stopPolling() {
    if (ticker != null) {
      ticker.cancel();
      ticker = null;
    }
  }

  private synchronized void unwatch(MultiEmitter<? super WatchEvent> emitter) {
    watchers.remove(emitter);
    if (watchers.isEmpty()) {
      stopPolling();
    }
  }

  /** One poll: a full scan when due, else the servers in transition. Never two at once. */
  private void pollOnce() {
    boolean full;
    Map<String, Long> hot = new HashMap<>();
    String epochAtStart;
    synchronized (this) {
      if (polling || closed) {
        return;
      }
      polling = true;
      epochAtStart = epoch;
      long now = System.nanoTime();
      full = !scannedOnce || now - lastFullScan >= slow.toNanos();
      if (!full) {
        touchedUntil.entrySet().removeIf(e -> now - e.getValue() > 0);
        touched.keySet().retainAll(touchedUntil.keySet());
        hot.putAll(touched);
        known.forEach(
            (vmId, k) -> {
              if (k.inTransition()) {
                hot.putIfAbsent(vmId, k.serverId());
              }
            });
      }
    }
    Uni<Void> poll =
        full
            ? scanAll
                .get()
                .invoke(
                    all -> {
                      synchronized (this) {
                        if (epoch.equals(epochAtStart)) {
                          reconcileAll(all);
                        }
                      }
                    })
                .replaceWithVoid()
            : Multi.createFrom()
                .iterable(hot.entrySet())
                .onItem()
                .transformToUniAndConcatenate(
                    e ->
                        probe
                            .apply(e.getValue())
                            .invoke(
                                seen -> {
                                  synchronized (this) {
                                    if (epoch.equals(epochAtStart)) {
                                      reconcileOne(e.getKey(), seen);
                                    }
                                  }
                                }))
                .collect()
                .last()
                .replaceWithVoid();
    poll.subscribe()
        .with(
            ok -> donePolling(),
            e -> {
              LOG.debugf("VirtFusion watch poll failed (next tick tries again): %s", e.toString());
              donePolling();
            });
  }

  private synchronized void donePolling() {
    polling = false;
  }

  // ---- state, under the lock --------------------------------------------------------------------

  private void reconcileAll(List<Observed> all) {
    Map<String, Observed> seen = new HashMap<>();
    all.forEach(o -> seen.putIfAbsent(o.vmId(), o));
    for (String vmId : List.copyOf(known.keySet())) {
      if (!seen.containsKey(vmId)) {
        gone(vmId);
      }
    }
    seen.values().stream()
        .sorted(Comparator.comparing(Observed::vmId))
        .forEach(o -> observe(o.vmId(), o));
    lastFullScan = System.nanoTime();
    scannedOnce = true;
  }

  private void reconcileOne(String vmId, Optional<Observed> seen) {
    if (seen.isPresent() && seen.get().vmId().equals(vmId)) {
      observe(vmId, seen.get());
    } else {
      gone(vmId);
    }
  }

  private void observe(String vmId, Observed o) {
    Known previous = known.put(vmId, new Known(o.serverId(), o.vm(), o.inTransition()));
    if (previous == null) {
      publish(Type.ADDED, vmId, o.vm().power(), o.vm());
    } else if (previous.vm().power() != o.vm().power()
        || !Objects.equals(previous.vm().ips(), o.vm().ips())) {
      publish(Type.MODIFIED, vmId, o.vm().power(), o.vm());
    }
  }

  private void gone(String vmId) {
    if (known.remove(vmId) != null) {
      publish(Type.DELETED, vmId, PowerState.NOT_FOUND, null);
    }
  }

  private void publish(Type type, String vmId, PowerState power, VmDescription vm) {
    counter++;
    WatchEvent event = new WatchEvent(type, vmId, power, epoch + "-" + counter, vm);
    history.addLast(event);
    if (history.size() > HISTORY) {
      history.removeFirst();
    }
    for (MultiEmitter<? super WatchEvent> w : List.copyOf(watchers)) {
      w.emit(event);
    }
  }

  private long counterOf(String resourceVersion) {
    if (resourceVersion == null || !resourceVersion.startsWith(epoch + "-")) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion.substring(epoch.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String newEpoch() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public synchronized void close() {
    closed = true;
    stopPolling();
    List<MultiEmitter<? super WatchEvent>> open = List.copyOf(watchers);
    watchers.clear();
    open.forEach(MultiEmitter::complete);
  }
}
