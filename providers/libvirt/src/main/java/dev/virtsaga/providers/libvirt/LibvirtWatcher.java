package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.ErrorType;
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
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;

/**
 * The {@link dev.virtsaga.providers.spi.WatchSource} of the libvirt adapter, on libvirt's domain
 * lifecycle events ({@code virConnectDomainEventRegisterAny} through libvirt-java's {@code
 * addLifecycleListener}).
 *
 * <p>It keeps its own connection, opened after libvirt's default event loop was registered (a
 * daemon thread runs {@link Library#runEventLoop()} for the whole process). Every event is turned
 * into an ADDED / MODIFIED / DELETED {@link WatchEvent} on one serial thread that also serves the
 * listings, so versions are totally ordered: a version is {@code <epoch>-<counter>}, where the
 * epoch names the connection. The last {@value #HISTORY} events are kept so a watch can resume from
 * an event's version. When the connection closes (daemon restart, keepalive timeout) the epoch
 * ends: every watch gets GONE and completes, and versions of that epoch are GONE at once.
 */
final class LibvirtWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LibvirtWatcher.class);
  static final int HISTORY = 1024;

  /** Describes a domain when it is one of ours. */
  @FunctionalInterface
  interface Describer {
    Optional<VmDescription> describe(Domain d) throws LibvirtException;
  }

  private static boolean eventLoopStarted;

  private final String uri;
  private final Describer describer;
  private final ExecutorService serial;
  // all below only touched on the serial thread
  private Connect connect;
  private LifecycleListener listener;
  private String epoch = newEpoch();
  private long counter;
  private final Map<String, String> known = new HashMap<>(); // domain UUID -> vmId
  private final Deque<WatchEvent> history = new ArrayDeque<>();
  private final Set<MultiEmitter<? super WatchEvent>> watchers = new LinkedHashSet<>();
  private boolean closed;

  LibvirtWatcher(String uri, Describer describer) {
    this.uri = uri;
    this.describer = describer;
    this.serial =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "libvirt-watch");
              t.setDaemon(true);
              return t;
            });
  }

  Uni<VmList> list() {
    return Uni.createFrom()
        .item(
            () -> {
              try {
                return listNow();
              } catch (LibvirtException e) {
                if (LibvirtErrors.isConnectionLoss(e)) {
                  connectionLost("listing failed: " + e.getMessage());
                }
                throw LibvirtErrors.toProviderException("list VMs for a watch", e);
              }
            })
        .runSubscriptionOn(serial);
  }

  /**
   * The watch stream. A subscriber that falls more than {@value #HISTORY} events behind gets GONE
   * (it missed events) instead of an unbounded buffer.
   */
  Multi<WatchEvent> watch(String resourceVersion) {
    return Multi.createFrom()
        .<WatchEvent>emitter(
            emitter ->
                serial.execute(
                    () -> {
                      if (closed) {
                        emitter.complete();
                        return;
                      }
                      long from = counterOf(resourceVersion);
                      long oldest =
                          history.isEmpty()
                              ? counter + 1
                              : counterOf(history.peekFirst().resourceVersion());
                      if (connect == null || from < 0 || from > counter || from < oldest - 1) {
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
                      emitter.onTermination(() -> serial.execute(() -> watchers.remove(emitter)));
                    }),
            BackPressureStrategy.IGNORE)
        .onOverflow()
        .buffer(HISTORY)
        .onFailure(BackPressureFailure.class)
        .recoverWithItem(WatchEvent.gone());
  }

  /** Ends the epoch as a lost connection does (tests; also called on close events). */
  void connectionLost(String why) {
    serial.execute(() -> endEpoch(why));
  }

  // ---- on the serial thread -------------------------------------------------------------------

  private VmList listNow() throws LibvirtException {
    if (closed) {
      throw new ProviderException(ErrorType.UNAVAILABLE, "the libvirt watcher is closed");
    }
    Connect c = connected();
    List<VmDescription> items = new ArrayList<>();
    Map<String, String> managed = new HashMap<>();
    for (Domain d : c.listAllDomains(0)) {
      try {
        Optional<VmDescription> vm = describer.describe(d);
        if (vm.isPresent()) {
          items.add(vm.get());
          managed.put(d.getUUIDString(), vm.get().vmId());
        }
      } catch (LibvirtException e) {
        if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
          throw e;
        }
      }
    }
    known.clear();
    known.putAll(managed);
    items.sort(Comparator.comparing(VmDescription::vmId));
    return new VmList(items, epoch + "-" + counter);
  }

  private Connect connected() throws LibvirtException {
    if (connect != null) {
      return connect;
    }
    startEventLoop();
    Connect c = new Connect(uri);
    try {
      if (!uri.startsWith("test:")) {
        c.setKeepAlive(5, 3);
      }
      c.registerCloseListener((conn, reason) -> connectionLost("connection closed: " + reason));
      listener =
          (domain, event) -> {
            try {
              String uuid = domain.getUUIDString();
              DomainEventType type = event.getType();
              serial.execute(() -> onEvent(uuid, type));
            } catch (LibvirtException | RuntimeException e) {
              serial.execute(() -> endEpoch("unreadable event: " + e));
            }
            return 0;
          };
      c.addLifecycleListener(listener);
    } catch (LibvirtException e) {
      closeQuietly(c);
      throw e;
    }
    connect = c;
    epoch = newEpoch();
    counter = 0;
    history.clear();
    LOG.debugf("libvirt watch connection to %s opened (epoch %s)", uri, epoch);
    return c;
  }

  private void onEvent(String uuid, DomainEventType type) {
    if (connect == null || closed) {
      return;
    }
    try {
      if (type == DomainEventType.UNDEFINED) {
        String vmId = known.remove(uuid);
        if (vmId != null) {
          publish(Type.DELETED, vmId, PowerState.NOT_FOUND, null);
        }
        return;
      }
      Optional<VmDescription> vm;
      try {
        vm = describer.describe(connect.domainLookupByUUIDString(uuid));
      } catch (LibvirtException e) {
        if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
          throw e;
        }
        vm = Optional.empty(); // gone by now: its UNDEFINED event follows
      }
      if (vm.isEmpty()) {
        return;
      }
      String previous = known.put(uuid, vm.get().vmId());
      publish(
          previous == null ? Type.ADDED : Type.MODIFIED,
          vm.get().vmId(),
          vm.get().power(),
          vm.get());
    } catch (LibvirtException e) {
      endEpoch("reading domain " + uuid + " after a " + type + " event failed: " + e.getMessage());
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

  private void endEpoch(String why) {
    if (connect == null) {
      return;
    }
    LOG.warnf("libvirt watch connection to %s ended (%s): watchers must relist", uri, why);
    Connect c = connect;
    connect = null;
    try {
      c.removeLifecycleListener(listener);
      c.unregisterCloseListener();
    } catch (LibvirtException | RuntimeException e) {
      LOG.debugf("deregistering from a dead connection failed: %s", e.getMessage());
    }
    closeQuietly(c);
    epoch = newEpoch();
    counter = 0;
    history.clear();
    known.clear();
    List<MultiEmitter<? super WatchEvent>> gone = List.copyOf(watchers);
    watchers.clear();
    for (MultiEmitter<? super WatchEvent> w : gone) {
      w.emit(WatchEvent.gone());
      w.complete();
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

  @Override
  public void close() {
    serial.execute(
        () -> {
          closed = true;
          List<MultiEmitter<? super WatchEvent>> open = List.copyOf(watchers);
          watchers.clear();
          open.forEach(MultiEmitter::complete);
          if (connect != null) {
            try {
              connect.removeLifecycleListener(listener);
              connect.unregisterCloseListener();
            } catch (LibvirtException | RuntimeException e) {
              LOG.debugf("deregistering on close failed: %s", e.getMessage());
            }
            closeQuietly(connect);
            connect = null;
          }
        });
    serial.shutdown();
  }

  private static void closeQuietly(Connect c) {
    try {
      c.close();
    } catch (LibvirtException | RuntimeException e) {
      LOG.debugf("closing a libvirt watch connection failed: %s", e.getMessage());
    }
  }

  private static String newEpoch() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /** Registers libvirt's default event loop once per process and runs it on a daemon thread. */
  private static synchronized void startEventLoop() throws LibvirtException {
    if (eventLoopStarted) {
      return;
    }
    LibvirtConnection.silenceLibvirtStderr();
    Library.initEventLoop();
    Thread loop =
        new Thread(
            () -> {
              try {
                Library.runEventLoop();
              } catch (LibvirtException | InterruptedException e) {
                LOG.errorf("the libvirt event loop stopped: %s", e.toString());
              }
            },
            "libvirt-event-loop");
    loop.setDaemon(true);
    loop.start();
    eventLoopStarted = true;
  }
}
