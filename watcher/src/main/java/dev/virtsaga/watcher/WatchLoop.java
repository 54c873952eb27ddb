package dev.virtsaga.watcher;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.observation.CircuitChanged;
import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.observation.WatcherRelisted;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchSource;
import dev.virtsaga.worker.core.messaging.ProviderStatusPublisher;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jboss.logging.Logger;

/**
 * The list-watch loop of one provider endpoint (the informer pattern): list every managed VM and
 * the version, then watch from that version, publishing {@code vm.observed} for every change.
 *
 * <ul>
 *   <li><b>Gone</b> (a Kubernetes 410, a lost vSphere collector or session, a libvirt reconnect):
 *       the version is dropped and the endpoint listed again; VMs known before and missing from the
 *       new list get a DELETED observation, and {@code watcher.relisted} tells consumers to drop
 *       their caches. A gone watch is not a failure: it never counts toward the circuit breaker.
 *   <li><b>Failures</b> (a list or watch that fails, a list that does not answer in time, a health
 *       check that finds the endpoint unreachable) are counted by the {@link CircuitBreaker} and
 *       retried by a relist after an exponential {@link Backoff} with jitter, reset by a good
 *       relist. An open breaker makes no call until its wait has passed, then one probe.
 *   <li><b>Health</b>: a periodic check ({@code Provider.validate}) and every outcome of the loop
 *       set the endpoint's health, published as {@code provider.health} when it changes.
 *   <li>A watch is restarted from its version after a random time, so watchers of one server do not
 *       reconnect in lockstep.
 * </ul>
 *
 * Observations are deduplicated against what the loop last reported per VM (power, IPs, host,
 * reference): a relist or a repeated watch event reports nothing that did not change, so a storm of
 * relists neither loses nor duplicates observations. Everything runs on the loop's own thread.
 */
public final class WatchLoop implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WatchLoop.class);

  /** Relist reasons, as published in {@code watcher.relisted}. */
  public static final String INITIAL = "initial";

  public static final String GONE = "gone";
  public static final String RECOVERED = "recovered";

  /** What the loop last reported of one VM. */
  record Seen(PowerState power, List<String> ips, String providerRef, String host) {
    static Seen of(VmDescription d) {
      return new Seen(
          toPower(d.power()), List.copyOf(d.ips()), d.providerRef(), d.raw().get("host"));
    }

    /** This VM after a watch event (which may carry only the power). */
    Seen after(WatchEvent ev) {
      if (ev.vm() != null) {
        return of(ev.vm());
      }
      return new Seen(toPower(ev.power()), ips, providerRef, host);
    }
  }

  /** Counters, for tests and metrics. */
  public record Stats(long relists, long gones, long failures, long observed, long watches) {}

  private final String provider;
  private final String endpoint;
  private final WatchSource source;
  private final Supplier<Uni<?>> probe;
  private final ObservationSink sink;
  private final WatcherSettings settings;
  private final Clock clock;
  private final RandomGenerator random;
  private final Backoff backoff;
  private final CircuitBreaker breaker;
  private final ScheduledExecutorService loop;

  // touched only on the loop's thread
  private final Map<String, Seen> known = new HashMap<>();
  private String resourceVersion;
  private ProviderHealth health = ProviderHealth.UNKNOWN;
  private long generation;
  private Cancellable watch;
  private ScheduledFuture<?> restart;
  private ScheduledFuture<?> probing;
  private boolean probeInFlight;
  private ScheduledFuture<?> resyncing;
  private Instant lastGone;
  private boolean stopped;

  private final AtomicLong relists = new AtomicLong();
  private final AtomicLong gones = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong observed = new AtomicLong();
  private final AtomicLong watches = new AtomicLong();

  /**
   * @param provider the provider's name, as in the VMs' specs ({@code kubevirt}, …)
   * @param endpoint which of the provider's endpoints this is (for logs)
   * @param probe the health check, e.g. {@code provider::validate}
   */
  public WatchLoop(
      String provider,
      String endpoint,
      WatchSource source,
      Supplier<Uni<?>> probe,
      ObservationSink sink,
      WatcherSettings settings,
      Clock clock,
      RandomGenerator random) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.source = Objects.requireNonNull(source, "source");
    this.probe = Objects.requireNonNull(probe, "probe");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.backoff =
        new Backoff(settings.backoffInitial(), settings.backoffMax(), settings.jitter(), random);
    this.breaker = new CircuitBreaker(settings.breakerThreshold(), settings.breakerOpenFor());
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "watcher-" + provider + "-" + endpoint);
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts listing and watching; returns at once. */
  public void start() {
    exec(
        () -> {
          LOG.infof("watching provider %s endpoint %s", provider, endpoint);
          long every = settings.probeInterval().toMillis();
          probing = loop.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
          long resync = settings.resync().toMillis();
          resyncing =
              loop.scheduleWithFixedDelay(this::resync, resync, resync, TimeUnit.MILLISECONDS);
          relist(INITIAL);
        });
  }

  /** Stops watching; publishes nothing more. */
  @Override
  public void close() {
    exec(
        () -> {
          stopped = true;
          generation++;
          cancelWatch();
          if (probing != null) {
            probing.cancel(false);
          }
          if (resyncing != null) {
            resyncing.cancel(false);
          }
        });
    loop.shutdown();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String provider() {
    return provider;
  }

  public String endpoint() {
    return endpoint;
  }

  /** The circuit breaker's state now. */
  public CircuitState circuit() {
    return call(breaker::state);
  }

  /** The endpoint's health now. */
  public ProviderHealth health() {
    return call(() -> health);
  }

  /** The version the loop would resume from. */
  public String resourceVersion() {
    return call(() -> resourceVersion);
  }

  /** How many VMs the loop knows. */
  public int size() {
    return call(known::size);
  }

  public Stats stats() {
    return new Stats(relists.get(), gones.get(), failures.get(), observed.get(), watches.get());
  }

  // ------------------------------------------------------------------ list

  private void relist(String reason) {
    if (stopped) {
      return;
    }
    cancelWatch();
    Instant now = clock.instant();
    Duration wait = breaker.waitBeforeCall(now);
    if (!wait.isZero()) {
      schedule(wait, () -> relist(reason));
      return;
    }
    List<Observation> out = new ArrayList<>();
    breaker.tryCall(now).ifPresent(t -> out.add(circuitChanged(t, now)));
    publishQuietly(out);
    long gen = ++generation;
    long t0 = System.nanoTime();
    source
        .listWithVersion()
        .ifNoItem()
        .after(settings.listTimeout())
        .failWith(
            () ->
                new ProviderException(
                    ErrorType.TIMEOUT,
                    "listing " + provider + " took longer than " + settings.listTimeout()))
        .subscribe()
        .with(list -> exec(() -> listed(gen, list, reason, t0)), t -> exec(() -> failed(gen, t)));
  }

  private void listed(long gen, VmList list, String reason, long t0) {
    if (gen != generation || stopped) {
      return;
    }
    Instant now = clock.instant();
    String rv = list.resourceVersion();
    List<Observation> out = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (VmDescription d : list.items()) {
      present.add(d.vmId());
      Seen seen = Seen.of(d);
      Seen before = known.put(d.vmId(), seen);
      if (before == null) {
        out.add(observedOf(d.vmId(), VmObserved.Kind.ADDED, seen, rv, true, now));
      } else if (!before.equals(seen)) {
        out.add(observedOf(d.vmId(), VmObserved.Kind.MODIFIED, seen, rv, true, now));
      }
    }
    int vanished = 0;
    for (Iterator<Map.Entry<String, Seen>> it = known.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Seen> e = it.next();
      if (!present.contains(e.getKey())) {
        it.remove();
        vanished++;
        out.add(deleted(e.getKey(), e.getValue(), rv, true, now));
      }
    }
    resourceVersion = rv;
    long ms = (System.nanoTime() - t0) / 1_000_000;
    breaker.success(now).ifPresent(t -> out.add(circuitChanged(t, now)));
    backoff.reset();
    healthy(out, now);
    out.add(new WatcherRelisted(provider, reason, rv, list.items().size(), vanished, ms, now));
    relists.incrementAndGet();
    LOG.debugf(
        "relisted %s/%s (%s): %d VMs, %d vanished, %d ms, version %s",
        provider, endpoint, reason, list.items().size(), vanished, ms, rv);
    sink.publish(traced(out))
        .subscribe()
        .with(ok -> exec(() -> watch(gen)), t -> exec(() -> failed(gen, new SinkFailure(t))));
  }

  // ------------------------------------------------------------------ watch

  private void watch(long gen) {
    if (gen != generation || stopped) {
      return;
    }
    long wgen = ++generation;
    watches.incrementAndGet();
    LOG.debugf("watching %s/%s from version %s", provider, endpoint, resourceVersion);
    long min = settings.watchRestart().toMillis();
    restart =
        loop.schedule(() -> rewatch(wgen), min + random.nextLong(min + 1), TimeUnit.MILLISECONDS);
    watch =
        source
            .watch(resourceVersion)
            .emitOn(loop)
            .onItem()
            .call(ev -> event(wgen, ev))
            .subscribe()
            .with(ev -> {}, t -> exec(() -> failed(wgen, t)), () -> exec(() -> ended(wgen)));
  }

  /** Restarts a live watch from its version (the jittered periodic restart). */
  private void rewatch(long wgen) {
    if (wgen != generation || stopped) {
      return;
    }
    cancelWatch();
    watch(wgen);
  }

  private Uni<Void> event(long wgen, WatchEvent ev) {
    if (wgen != generation || stopped) {
      LOG.debugf("%s/%s ignores %s of an ended watch", provider, endpoint, ev);
      return Uni.createFrom().voidItem();
    }
    LOG.tracef("%s/%s watch event %s", provider, endpoint, ev);
    Instant now = clock.instant();
    switch (ev.type()) {
      case BOOKMARK -> resourceVersion = ev.resourceVersion();
      case GONE -> {
        generation++;
        cancelWatch();
        gone();
      }
      case DELETED -> {
        resourceVersion = ev.resourceVersion();
        Seen before = known.remove(ev.vmId());
        if (before != null) {
          return publish(List.of(deleted(ev.vmId(), before, ev.resourceVersion(), false, now)));
        }
      }
      case ADDED, MODIFIED -> {
        resourceVersion = ev.resourceVersion();
        Seen before = known.get(ev.vmId());
        Seen seen =
            before == null
                ? (ev.vm() != null
                    ? Seen.of(ev.vm())
                    : new Seen(toPower(ev.power()), List.of(), null, null))
                : before.after(ev);
        if (!seen.equals(before)) {
          known.put(ev.vmId(), seen);
          VmObserved.Kind kind = before == null ? VmObserved.Kind.ADDED : VmObserved.Kind.MODIFIED;
          return publish(
              List.of(observedOf(ev.vmId(), kind, seen, ev.resourceVersion(), false, now)));
        }
      }
    }
    return Uni.createFrom().voidItem();
  }

  /** The watch ended without an error or GONE (the server closed it): watch again from here. */
  private void ended(long wgen) {
    if (wgen != generation || stopped) {
      return;
    }
    generation++;
    cancelWatch();
    long gen = generation;
    schedule(backoff.jittered(settings.backoffInitial()), () -> watch(gen));
  }

  private void gone() {
    gones.incrementAndGet();
    resourceVersion = null;
    Instant now = clock.instant();
    // a storm of 410s: relist at once the first time, then after a short jittered pause
    Duration pause =
        lastGone != null && Duration.between(lastGone, now).compareTo(Duration.ofSeconds(1)) < 0
            ? backoff.jittered(settings.backoffInitial())
            : Duration.ZERO;
    lastGone = now;
    LOG.debugf("watch of %s/%s is gone; relisting", provider, endpoint);
    schedule(pause, () -> relist(GONE));
  }

  // ------------------------------------------------------------------ failures and health

  private void failed(long gen, Throwable t) {
    if (gen != generation || stopped) {
      return;
    }
    generation++;
    cancelWatch();
    Instant now = clock.instant();
    Duration wait = backoff.next();
    List<Observation> out = new ArrayList<>();
    if (t instanceof SinkFailure) {
      // what was not published must be reported again: forget it all, the relist reports it anew
      known.clear();
      LOG.warnf("could not publish observations of %s: %s", provider, t.getCause());
    } else {
      failures.incrementAndGet();
      String reason = String.valueOf(t.getMessage());
      breaker.failure(reason, now).ifPresent(c -> out.add(circuitChanged(c, now)));
      setHealth(out, healthOf(t), reason, now);
      LOG.warnf(
          "watching %s/%s failed (%d in a row, circuit %s), retrying in %d ms: %s",
          provider, endpoint, breaker.failures(), breaker.state(), wait.toMillis(), t);
    }
    publishQuietly(out);
    schedule(wait, () -> relist(RECOVERED));
  }

  /**
   * One health check of a watched endpoint. Skipped while the loop lists (the list is the check
   * then, bounded by {@code list-timeout}) or while the previous check has not answered, so slow
   * answers never pile up into several failures; a check that fails after the watch it checked was
   * replaced is not held against the new one.
   */
  private void probe() {
    if (stopped || breaker.state() != CircuitState.CLOSED || watch == null || probeInFlight) {
      return; // an open breaker is probed by its relist
    }
    probeInFlight = true;
    long gen = generation;
    Uni.createFrom()
        .deferred(probe)
        .ifNoItem()
        .after(settings.probeTimeout())
        .failWith(
            () ->
                new ProviderException(
                    ErrorType.TIMEOUT,
                    provider + " did not answer within " + settings.probeTimeout()))
        .subscribe()
        .with(
            ok ->
                exec(
                    () -> {
                      probeInFlight = false;
                      if (gen == generation && !stopped) {
                        List<Observation> out = new ArrayList<>();
                        healthy(out, clock.instant());
                        publishQuietly(out);
                      }
                    }),
            t ->
                exec(
                    () -> {
                      probeInFlight = false;
                      ProviderHealth h = healthOf(t);
                      if (h == ProviderHealth.UNREACHABLE) {
                        failed(gen, t);
                      } else if (gen == generation && !stopped) {
                        List<Observation> out = new ArrayList<>();
                        setHealth(out, h, String.valueOf(t.getMessage()), clock.instant());
                        publishQuietly(out);
                      }
                    }));
  }

  /**
   * Reports every VM the loop knows again, as last seen (MODIFIED, {@code relist}): a consumer that
   * set a sighting aside gets another look. Skipped while the endpoint is not watched.
   */
  private void resync() {
    if (stopped || breaker.state() != CircuitState.CLOSED || watch == null) {
      return;
    }
    Instant now = clock.instant();
    List<Observation> out = new ArrayList<>(known.size());
    known.forEach(
        (vmId, seen) ->
            out.add(observedOf(vmId, VmObserved.Kind.MODIFIED, seen, resourceVersion, true, now)));
    LOG.debugf("resync of %s/%s: %d VMs reported again", provider, endpoint, out.size());
    publishQuietly(out);
  }

  private void healthy(List<Observation> out, Instant now) {
    setHealth(out, ProviderHealth.HEALTHY, null, now);
  }

  private void setHealth(List<Observation> out, ProviderHealth h, String message, Instant now) {
    if (h != health) {
      LOG.infof("provider %s/%s is %s (was %s)", provider, endpoint, h, health);
      health = h;
      out.add(new ProviderHealthChanged(provider, h, message, now));
    }
  }

  /** UNREACHABLE when the endpoint does not answer, UNHEALTHY when it answers with an error. */
  static ProviderHealth healthOf(Throwable t) {
    // what an adapter left unmapped (the worker's status never sees these)
    if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.io.IOException) {
      return ProviderHealth.UNREACHABLE;
    }
    return ProviderStatusPublisher.healthOf(t);
  }

  // ------------------------------------------------------------------ helpers

  private VmObserved observedOf(
      String vmId, VmObserved.Kind kind, Seen seen, String rv, boolean relist, Instant now) {
    observed.incrementAndGet();
    return new VmObserved(
        vmId,
        provider,
        kind,
        seen.power(),
        now,
        rv,
        seen.ips(),
        seen.providerRef(),
        seen.host(),
        relist);
  }

  private VmObserved deleted(String vmId, Seen before, String rv, boolean relist, Instant now) {
    observed.incrementAndGet();
    return new VmObserved(
        vmId,
        provider,
        VmObserved.Kind.DELETED,
        PowerState.NOT_FOUND,
        now,
        rv,
        List.of(),
        before.providerRef(),
        before.host(),
        relist);
  }

  private CircuitChanged circuitChanged(CircuitBreaker.Transition t, Instant now) {
    LOG.infof("circuit of %s/%s: %s -> %s", provider, endpoint, t.from(), t.to());
    return new CircuitChanged(provider, t.from(), t.to(), t.failures(), t.reason(), now);
  }

  private static PowerState toPower(dev.virtsaga.providers.spi.PowerState p) {
    return PowerState.valueOf(p.name());
  }

  private Uni<Void> publish(List<Observation> out) {
    return sink.publish(traced(out)).onFailure().transform(SinkFailure::new);
  }

  private List<Observation> traced(List<Observation> out) {
    if (LOG.isDebugEnabled()) {
      out.forEach(o -> LOG.debugf("%s/%s publishes %s", provider, endpoint, o));
    }
    return out;
  }

  private void publishQuietly(List<Observation> out) {
    if (!out.isEmpty()) {
      sink.publish(out)
          .subscribe()
          .with(
              ok -> {}, t -> LOG.warnf("could not publish watcher events of %s: %s", provider, t));
    }
  }

  private void cancelWatch() {
    if (watch != null) {
      watch.cancel();
      watch = null;
    }
    if (restart != null) {
      restart.cancel(false);
      restart = null;
    }
  }

  private void schedule(Duration d, Runnable r) {
    if (!loop.isShutdown()) {
      loop.schedule(r, Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  private void exec(Runnable r) {
    if (!loop.isShutdown()) {
      loop.execute(
          () -> {
            try {
              r.run();
            } catch (RuntimeException e) {
              LOG.errorf(e, "watch loop of %s/%s", provider, endpoint);
            }
          });
    }
  }

  private <T> T call(java.util.concurrent.Callable<T> c) {
    try {
      return loop.submit(c).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("watch loop of " + provider + " does not answer", e);
    }
  }

  /** The sink could not publish: not the provider's fault, never counted by the breaker. */
  static final class SinkFailure extends RuntimeException {
    SinkFailure(Throwable cause) {
      super("publishing observations failed: " + cause, cause);
    }
  }
}
