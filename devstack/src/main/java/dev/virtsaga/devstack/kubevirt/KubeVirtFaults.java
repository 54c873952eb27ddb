package dev.virtsaga.devstack.kubevirt;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Fault injection of a {@link KubeVirtSimulator}, changeable at any time from any thread; every
 * method returns {@code this}.
 *
 * <h2>Operations</h2>
 *
 * Each {@link Operation} can be made to {@linkplain #fail(Operation, String) fail} or to
 * {@linkplain #stall(Operation, String) stall} (never progress past a phase), for one object or for
 * all ({@code name} {@code null} or {@value #ANY}), until {@linkplain #clear(Operation, String)
 * cleared}. A {@code name} matches the operation's own object or the VM it acts on:
 *
 * <table>
 *   <caption>What a name matches</caption>
 *   <tr><th>operation</th><th>name is</th><th>fail</th><th>stall phases (default first)</th></tr>
 *   <tr><td>START</td><td>the VM</td><td>printableStatus {@code ErrorUnschedulable} (VMI stays
 *       Scheduling with condition PodScheduled=False/Unschedulable) or, with {@link
 *       StartFailure#CRASH_LOOP}, {@code CrashLoopBackOff} (VMIs fail, {@code status.startFailure}
 *       counts)</td><td>Scheduling, Provisioning, Pending, Scheduled</td></tr>
 *   <tr><td>STOP</td><td>the VM</td><td>the VMI keeps running; VM condition {@code Failure}
 *       (reason FailedDelete)</td><td>Stopping</td></tr>
 *   <tr><td>SNAPSHOT</td><td>the snapshot or its source VM</td><td>phase Failed,
 *       {@code status.error.message}</td><td>InProgress</td></tr>
 *   <tr><td>RESTORE</td><td>the restore or its target VM</td><td>condition Failure=True,
 *       Progressing/Ready False "Operation failed"</td><td>InProgress</td></tr>
 *   <tr><td>CLONE</td><td>the clone or its source</td><td>phase Failed</td><td>SnapshotInProgress,
 *       RestoreInProgress, CreatingTargetVM</td></tr>
 *   <tr><td>MIGRATION</td><td>the migration or its VMI</td><td>once it runs: phase Failed, VMI
 *       {@code migrationState.failed} and {@code failureReason}, VMI stays on its node</td><td>Running, Pending, Scheduling,
 *       Scheduled, PreparingTarget, TargetReady</td></tr>
 * </table>
 *
 * A failure takes effect at the operation's next step; a cleared stall resumes where it stopped.
 *
 * <h2>API</h2>
 *
 * {@link #expireWatches(int)} / {@link #expireWatchesFor(Duration)} end watches with an {@code
 * ERROR} event carrying a {@code Status} 410 Expired, as the API server does for a resourceVersion
 * that is too old; {@link #unavailable()} answers every request 503, {@link #unresponsive()} never
 * answers; {@link #available()} ends both. These only affect clients of the API (not the simulated
 * controller, nor {@link KubeVirtSimulator#client()}).
 */
public final class KubeVirtFaults {

  /** A name that matches every object. */
  public static final String ANY = "*";

  /** What a fault can apply to. */
  public enum Operation {
    START,
    STOP,
    SNAPSHOT,
    RESTORE,
    CLONE,
    MIGRATION
  }

  /** How a failed start shows. */
  public enum StartFailure {
    /** The VMI cannot be scheduled: printableStatus {@code ErrorUnschedulable}. */
    UNSCHEDULABLE,
    /** The VMI fails right after scheduling, again and again: {@code CrashLoopBackOff}. */
    CRASH_LOOP
  }

  /** One configured fault. */
  record Rule(boolean fail, String phase, String message, StartFailure startFailure) {}

  private final Map<Operation, Map<String, Rule>> rules = new EnumMap<>(Operation.class);
  private volatile Duration stepDelay;
  private final AtomicInteger watchExpiries = new AtomicInteger();
  private volatile long watchExpiryUntil;
  private volatile long unavailableUntil;
  private volatile long unresponsiveUntil;
  private volatile Runnable onChange = () -> {};
  private volatile IntUnaryOperator openWatchExpirer = n -> 0;
  private volatile Runnable onApiDown = () -> {};

  KubeVirtFaults(Duration stepDelay) {
    this.stepDelay = stepDelay;
    for (Operation op : Operation.values()) {
      rules.put(op, new ConcurrentHashMap<>());
    }
  }

  /** Makes {@code op} fail for {@code name} (or every object), with a default message. */
  public KubeVirtFaults fail(Operation op, String name) {
    return fail(op, name, null);
  }

  /** Makes {@code op} fail for {@code name} (or every object) with {@code message}. */
  public KubeVirtFaults fail(Operation op, String name, String message) {
    StartFailure how = op == Operation.START ? StartFailure.UNSCHEDULABLE : null;
    return put(op, name, new Rule(true, null, message, how));
  }

  /** Makes starts of VM {@code vmName} (or every VM) fail the given way. */
  public KubeVirtFaults failStart(String vmName, StartFailure how) {
    return put(Operation.START, vmName, new Rule(true, null, null, Objects.requireNonNull(how)));
  }

  /** Makes {@code op} stall at its default phase (see the class comment). */
  public KubeVirtFaults stall(Operation op, String name) {
    return stall(op, name, null);
  }

  /** Makes {@code op} never progress past {@code phase} (null: the default phase). */
  public KubeVirtFaults stall(Operation op, String name, String phase) {
    return put(op, name, new Rule(false, phase, null, null));
  }

  /** Removes the fault of {@code op} for {@code name} (exactly that name, or {@link #ANY}). */
  public KubeVirtFaults clear(Operation op, String name) {
    rules.get(op).remove(key(name));
    onChange.run();
    return this;
  }

  /** Removes every fault of {@code op}. */
  public KubeVirtFaults clear(Operation op) {
    rules.get(op).clear();
    onChange.run();
    return this;
  }

  /** Removes every operation fault, watch expiry and API outage (the step delay stays as it is). */
  public KubeVirtFaults clear() {
    rules.values().forEach(Map::clear);
    watchExpiries.set(0);
    watchExpiryUntil = 0;
    unavailableUntil = 0;
    unresponsiveUntil = 0;
    onChange.run();
    return this;
  }

  /** How long each step of the simulated controller takes (e.g. Scheduling to Scheduled). */
  public KubeVirtFaults stepDelay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("negative step delay " + delay);
    }
    this.stepDelay = delay;
    onChange.run();
    return this;
  }

  /** The current step delay. */
  public Duration stepDelay() {
    return stepDelay;
  }

  /**
   * Ends the next {@code times} watches with {@code ERROR} 410 Expired: the client watches open now
   * first (each counts once), then as many newly opened ones, right after they open.
   */
  public KubeVirtFaults expireWatches(int times) {
    if (times <= 0) {
      return this;
    }
    int done = openWatchExpirer.applyAsInt(times);
    watchExpiries.addAndGet(times - done);
    return this;
  }

  /**
   * For {@code duration}, every client watch, open now or opened meanwhile, ends with {@code ERROR}
   * 410 Expired.
   */
  public KubeVirtFaults expireWatchesFor(Duration duration) {
    watchExpiryUntil = System.nanoTime() + duration.toNanos();
    openWatchExpirer.applyAsInt(Integer.MAX_VALUE);
    return this;
  }

  /**
   * Every client request gets 503 ServiceUnavailable (open watches are closed) until {@link
   * #available()}.
   */
  public KubeVirtFaults unavailable() {
    return unavailableFor(Duration.ofDays(365));
  }

  /** Like {@link #unavailable()}, for {@code duration}. */
  public KubeVirtFaults unavailableFor(Duration duration) {
    unavailableUntil = System.nanoTime() + duration.toNanos();
    onApiDown.run();
    return this;
  }

  /**
   * No client request gets an answer (the connection stays open, nothing is done; open watches are
   * closed) until {@link #available()}.
   */
  public KubeVirtFaults unresponsive() {
    return unresponsiveFor(Duration.ofDays(365));
  }

  /** Like {@link #unresponsive()}, for {@code duration}. */
  public KubeVirtFaults unresponsiveFor(Duration duration) {
    unresponsiveUntil = System.nanoTime() + duration.toNanos();
    onApiDown.run();
    return this;
  }

  /** Ends {@link #unavailable()} and {@link #unresponsive()}. */
  public KubeVirtFaults available() {
    unavailableUntil = 0;
    unresponsiveUntil = 0;
    return this;
  }

  // ---- used by the simulator ----

  private KubeVirtFaults put(Operation op, String name, Rule rule) {
    rules.get(op).put(key(name), rule);
    onChange.run();
    return this;
  }

  private static String key(String name) {
    return name == null ? ANY : name;
  }

  /**
   * The rule for {@code op} matching one of {@code names} (first match wins), else ANY, else null.
   */
  Rule rule(Operation op, String... names) {
    Map<String, Rule> m = rules.get(op);
    for (String n : names) {
      if (n != null) {
        Rule r = m.get(n);
        if (r != null) {
          return r;
        }
      }
    }
    return m.get(ANY);
  }

  boolean isUnavailable() {
    long until = unavailableUntil;
    return until != 0 && System.nanoTime() - until < 0;
  }

  /** Nanoseconds left of the unresponsive period, 0 when answering normally. */
  long unresponsiveNanosLeft() {
    long until = unresponsiveUntil;
    if (until == 0) {
      return 0;
    }
    long left = until - System.nanoTime();
    return Math.max(left, 0);
  }

  /** Whether a newly opened client watch must end with 410 (consumes one expiry). */
  boolean consumeWatchExpiry() {
    long until = watchExpiryUntil;
    if (until != 0 && System.nanoTime() - until < 0) {
      return true;
    }
    while (true) {
      int n = watchExpiries.get();
      if (n <= 0) {
        return false;
      }
      if (watchExpiries.compareAndSet(n, n - 1)) {
        return true;
      }
    }
  }

  void onChange(Runnable r) {
    this.onChange = r;
  }

  void openWatchExpirer(IntUnaryOperator expirer) {
    this.openWatchExpirer = expirer;
  }

  void onApiDown(Runnable r) {
    this.onApiDown = r;
  }
}
