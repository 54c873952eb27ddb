package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.vsphere.VSphereProvider.ManagedVm;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.w3c.dom.Element;

/**
 * {@link dev.virtsaga.providers.spi.WatchSource} over {@code WaitForUpdatesEx}: the informer
 * pattern on a vSphere property collector.
 *
 * <p>A <i>feed</i> is one private {@code PropertyCollector} (session-scoped) with a filter that
 * traverses the inventory from the root folder (folders' {@code childEntity}, datacenters' {@code
 * vmFolder}) to every VM ({@code name}, {@code customValue}, {@code runtime.powerState}, guest
 * IPs): the collector re-walks it as the inventory changes, so VMs made later enter the feed (a
 * container view made before them does not show them on vcsim). Its first {@code WaitForUpdatesEx}
 * (version {@code ""}) is the listing; then one pump long- polls it ({@code maxWaitSeconds}) and
 * turns each update into ADDED / MODIFIED / DELETED of tagged VMs, numbered in order and kept in a
 * window of the last {@value #WINDOW} events so that several watchers can each resume from their
 * own version. A resource version is {@code <feed>-<seq>}.
 *
 * <p><b>Gone</b> (vSphere's 410): the collector lives only as long as the session, so any failure
 * of the long poll — the server restarted, the session was terminated or expired (the client logs
 * in again, and the old collector is then unknown), the connection dropped — and any re-login seen
 * between two polls ends the feed: every watcher gets GONE, versions of that feed are GONE from
 * then on, and the next {@link #listWithVersion()} starts a new feed.
 */
final class VSphereWatch {
  private static final Logger LOG = Logger.getLogger(VSphereWatch.class);

  /** Events kept for watchers that resume from an older version of the live feed. */
  static final int WINDOW = 10_000;

  private static final List<String> PATHS =
      List.of("name", "customValue", "runtime.powerState", "guest.ipAddress", "guest.net");
  private static final AtomicLong FEEDS = new AtomicLong();

  private final VimClient vim;
  private final Supplier<Uni<Optional<String>>> tagKey;
  private final Duration maxWait;

  private Feed feed; // guarded by this
  private Uni<Feed> starting; // guarded by this
  private boolean closed; // guarded by this

  /** One collector and what it has shown so far. Fields guarded by the enclosing instance. */
  private static final class Feed {
    final String id;
    final ManagedObjectReference collector;
    final long logins;
    String key;
    String serverVersion = "";
    long seq;
    boolean alive = true;
    final Map<String, Map<String, Element>> props = new HashMap<>();
    final Map<String, ManagedVm> managed = new HashMap<>();
    final Deque<WatchEvent> window = new ArrayDeque<>();
    final Set<MultiEmitter<? super WatchEvent>> watchers = new LinkedHashSet<>();

    Feed(String id, ManagedObjectReference collector, long logins, String key) {
      this.id = id;
      this.collector = collector;
      this.logins = logins;
      this.key = key;
    }

    String version(long at) {
      return id + "-" + at;
    }
  }

  VSphereWatch(VimClient vim, Supplier<Uni<Optional<String>>> tagKey) {
    this.vim = vim;
    this.tagKey = tagKey;
    long seconds = Math.max(1, Math.min(30, vim.settings().requestTimeout().toSeconds() / 3));
    this.maxWait = Duration.ofSeconds(seconds);
  }

  /** The tagged VMs as the live feed has them (a new feed when there is none), and its version. */
  Uni<VmList> listWithVersion() {
    return Uni.createFrom().deferred(this::liveFeed).map(this::snapshot);
  }

  private synchronized VmList snapshot(Feed f) {
    List<ManagedVm> vms = new ArrayList<>(f.managed.values());
    vms.sort(Comparator.comparing(ManagedVm::vmId));
    return new VmList(vms.stream().map(VSphereProvider::description).toList(), f.version(f.seq));
  }

  /** The changes after {@code resourceVersion}: from the window, then live; GONE if unknown. */
  Multi<WatchEvent> watch(String resourceVersion) {
    return Multi.createFrom()
        .emitter(
            emitter -> {
              synchronized (this) {
                Feed f = feed;
                long from = seqOf(f, resourceVersion);
                long oldest = f == null ? 0 : f.seq - f.window.size();
                if (f == null || !f.alive || from < oldest || from > f.seq) {
                  emitter.emit(WatchEvent.gone());
                  emitter.complete();
                  return;
                }
                long at = oldest;
                for (WatchEvent e : f.window) {
                  at++;
                  if (at > from) {
                    emitter.emit(e);
                  }
                }
                f.watchers.add(emitter);
                LOG.debugf(
                    "feed %s: a watcher from %s (%d watchers)",
                    f.id, resourceVersion, f.watchers.size());
                emitter.onTermination(() -> removeWatcher(f, emitter));
              }
            },
            BackPressureStrategy.BUFFER);
  }

  private synchronized void removeWatcher(Feed f, MultiEmitter<? super WatchEvent> emitter) {
    f.watchers.remove(emitter);
    LOG.debugf("feed %s: a watcher left (%d watchers)", f.id, f.watchers.size());
  }

  /** {@code <feed>-<seq>} of this feed → seq; -1 for anything else. */
  private static long seqOf(Feed f, String resourceVersion) {
    if (f == null || resourceVersion == null || !resourceVersion.startsWith(f.id + "-")) {
      return -1;
    }
    try {
      return Long.parseLong(resourceVersion.substring(f.id.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Ends the live feed (its watchers get GONE); no new feed starts. */
  void close() {
    Feed f;
    synchronized (this) {
      closed = true;
      f = feed;
    }
    if (f != null) {
      end(f, "the provider is closing");
    }
  }

  // --- the feed ----------------------------------------------------------------------------

  private synchronized Uni<Feed> liveFeed() {
    if (closed) {
      return Uni.createFrom()
          .failure(new ProviderException(ErrorType.UNAVAILABLE, "the vSphere provider is closed"));
    }
    if (feed != null && feed.alive) {
      return Uni.createFrom().item(feed);
    }
    if (starting == null) {
      starting = start().onTermination().invoke(this::startDone).memoize().indefinitely();
    }
    return starting;
  }

  private synchronized void startDone() {
    starting = null;
  }

  private Uni<Feed> start() {
    long logins = vim.logins();
    ServiceContent content = vim.connectedContent();
    return tagKey
        .get()
        .chain(
            key ->
                vim.invoke("CreatePropertyCollector", content.propertyCollector(), "")
                    .map(r -> Soap.returnMoRef(r, "CreatePropertyCollector returned nothing"))
                    .chain(
                        collector ->
                            vim.invoke("CreateFilter", collector, filter(content.rootFolder()))
                                .map(
                                    r ->
                                        new Feed(
                                            Long.toString(FEEDS.incrementAndGet(), 36)
                                                + Long.toString(System.currentTimeMillis(), 36),
                                            collector,
                                            logins,
                                            key.orElse(null)))))
        .chain(f -> poll(f).invoke(set -> apply(f, set, false)).replaceWith(f))
        .invoke(
            f -> {
              synchronized (this) {
                feed = f;
              }
              LOG.infof(
                  "watching VMs through %s (feed %s, %d tagged VMs)",
                  f.collector, f.id, f.managed.size());
              pump(f);
            });
  }

  private static String filter(ManagedObjectReference root) {
    StringBuilder spec = new StringBuilder("<spec><propSet><type>VirtualMachine</type>");
    PATHS.forEach(p -> spec.append(Soap.element("pathSet", p)));
    return spec.append("</propSet><objectSet>")
        .append(Soap.moRef("obj", root))
        .append("<skip>true</skip>")
        // folders → their children (recursively), datacenters → their VM folder
        .append("<selectSet xsi:type=\"TraversalSpec\"><name>folder</name><type>Folder</type>")
        .append("<path>childEntity</path><skip>false</skip>")
        .append("<selectSet><name>folder</name></selectSet>")
        .append("<selectSet><name>datacenterVms</name></selectSet></selectSet>")
        .append("<selectSet xsi:type=\"TraversalSpec\"><name>datacenterVms</name>")
        .append("<type>Datacenter</type><path>vmFolder</path><skip>false</skip>")
        .append("<selectSet><name>folder</name></selectSet></selectSet>")
        .append("</objectSet></spec><partialUpdates>false</partialUpdates>")
        .toString();
  }

  /** One {@code WaitForUpdatesEx}: the update set, or empty when nothing changed in time. */
  private Uni<Optional<Element>> poll(Feed f) {
    String version;
    synchronized (this) {
      version = f.serverVersion;
    }
    String inner =
        Soap.element("version", version)
            + "<options>"
            + Soap.element("maxWaitSeconds", Long.toString(maxWait.toSeconds()))
            + "</options>";
    return vim.invoke("WaitForUpdatesEx", f.collector, inner, maxWait.plusSeconds(15))
        .map(r -> Soap.child(r, "returnval"));
  }

  private void pump(Feed f) {
    poll(f)
        .subscribe()
        .with(
            set -> {
              if (vim.logins() != f.logins) {
                end(f, "the session was lost and renewed: changes may have been missed");
                return;
              }
              boolean needKey;
              synchronized (this) {
                needKey = f.key == null && set.isPresent();
              }
              Uni<Void> key =
                  needKey
                      ? tagKey.get().invoke(k -> setKey(f, k.orElse(null))).replaceWithVoid()
                      : Uni.createFrom().voidItem();
              key.subscribe()
                  .with(
                      ok -> {
                        apply(f, set, true);
                        if (isAlive(f)) {
                          pump(f);
                        }
                      },
                      failure -> end(f, failure.toString()));
            },
            failure -> end(f, failure.toString()));
  }

  private synchronized void setKey(Feed f, String key) {
    LOG.debugf("feed %s: the vmId field's key is %s", f.id, key);
    f.key = key;
  }

  private synchronized boolean isAlive(Feed f) {
    return f.alive;
  }

  private void end(Feed f, String why) {
    List<MultiEmitter<? super WatchEvent>> watchers;
    synchronized (this) {
      if (!f.alive) {
        return;
      }
      f.alive = false;
      if (feed == f) {
        feed = null;
      }
      watchers = new ArrayList<>(f.watchers);
      f.watchers.clear();
    }
    LOG.warnf("the watch feed %s on %s ended (%s): its watchers get GONE", f.id, f.collector, why);
    for (MultiEmitter<? super WatchEvent> w : watchers) {
      w.emit(WatchEvent.gone());
      w.complete();
    }
    vim.invoke("DestroyPropertyCollector", f.collector, "")
        .subscribe()
        .with(ok -> {}, failure -> LOG.debugf("%s already gone: %s", f.collector, failure));
  }

  // --- updates -----------------------------------------------------------------------------

  /** Applies an UpdateSet; {@code emit} = false for the initial listing. */
  private synchronized void apply(Feed f, Optional<Element> set, boolean emit) {
    if (set.isEmpty() || !f.alive) {
      return;
    }
    f.serverVersion = Soap.childText(set.get(), "version").trim();
    for (Element filterUpdate : Soap.children(set.get(), "filterSet")) {
      for (Element update : Soap.children(filterUpdate, "objectSet")) {
        ManagedObjectReference obj = Soap.child(update, "obj").map(Soap::toMoRef).orElse(null);
        if (obj == null) {
          continue;
        }
        String kind = Soap.childText(update, "kind").trim();
        Map<String, Element> props;
        if ("leave".equals(kind)) {
          f.props.remove(obj.value());
          props = null;
        } else {
          props = f.props.computeIfAbsent(obj.value(), k -> new HashMap<>());
          for (Element change : Soap.children(update, "changeSet")) {
            String name = Soap.childText(change, "name").trim();
            String op = Soap.childText(change, "op").trim();
            Optional<Element> val = Soap.child(change, "val");
            if (val.isEmpty() || "remove".equals(op) || "indirectRemove".equals(op)) {
              props.remove(name);
            } else {
              props.put(name, val.get());
            }
          }
        }
        observe(f, obj, props, emit);
      }
    }
  }

  private void observe(
      Feed f, ManagedObjectReference obj, Map<String, Element> props, boolean emit) {
    ManagedVm before = f.managed.get(obj.value());
    ManagedVm after =
        props == null || f.key == null
            ? null
            : VSphereProvider.managed(new ObjectContent(obj, props, Map.of()), f.key).orElse(null);
    if (after == null) {
      if (before != null) {
        f.managed.remove(obj.value());
        event(f, WatchEvent.Type.DELETED, before, emit);
      }
      return;
    }
    f.managed.put(obj.value(), after);
    if (before == null) {
      event(f, WatchEvent.Type.ADDED, after, emit);
    } else if (!before.vmId().equals(after.vmId())) {
      event(f, WatchEvent.Type.DELETED, before, emit);
      event(f, WatchEvent.Type.ADDED, after, emit);
    } else if (!before.equals(after)) {
      event(f, WatchEvent.Type.MODIFIED, after, emit);
    }
  }

  private void event(Feed f, WatchEvent.Type type, ManagedVm vm, boolean emit) {
    if (!emit) {
      return;
    }
    f.seq++;
    boolean deleted = type == WatchEvent.Type.DELETED;
    WatchEvent e =
        new WatchEvent(
            type,
            vm.vmId(),
            deleted ? PowerState.NOT_FOUND : VSphereProvider.powerState(vm.powerState()),
            f.version(f.seq),
            deleted ? null : VSphereProvider.description(vm));
    f.window.addLast(e);
    if (f.window.size() > WINDOW) {
      f.window.removeFirst();
    }
    LOG.debugf("feed %s: %s (to %d watchers)", f.id, e, f.watchers.size());
    f.watchers.forEach(w -> w.emit(e));
  }
}
