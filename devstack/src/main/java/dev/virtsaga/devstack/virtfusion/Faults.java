package dev.virtsaga.devstack.virtfusion;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Fault injection, latency and rate limiting of a {@link VirtFusionSimulator}, changeable at any
 * time from any thread. Every knob returns {@code this} so that a test can write {@code
 * sim.faults().seed(7).rate(Fault.SERVICE_UNAVAILABLE, 0.2).latency(ofMillis(5), ofMillis(50))}.
 *
 * <p>For each request that is in {@linkplain #scope(String, String) scope}: a {@linkplain
 * #next(Fault, int) scripted} fault is used first if one is queued, else one random draw picks a
 * fault by the configured {@linkplain #rate(Fault, double) rates} (or none); then, independently,
 * the request is delayed by the configured {@linkplain #latency(Duration, Duration) latency}. The
 * random draws come from one {@link Random} {@linkplain #seed(long) seeded} by the test, so the
 * same sequence of requests sees the same faults.
 *
 * <p>The {@linkplain #rateLimit(int, Duration) rate limit} is separate: like a VirtFusion token's
 * own limit it applies to every authenticated request, and rejects with 429 and {@code Retry-After}
 * once {@code requests} were admitted within the last {@code per}; rejected requests do not count.
 */
public final class Faults {

  /** What can go wrong with a request. */
  public enum Fault {
    /** 429 with {@code Retry-After} (if {@linkplain #retryAfter(Duration) set}); nothing done. */
    TOO_MANY_REQUESTS(429),
    /** 500 {@code {"message":"Server Error"}}; nothing done. */
    INTERNAL_SERVER_ERROR(500),
    /** 503 {@code {"message":"Service Unavailable"}}; nothing done. */
    SERVICE_UNAVAILABLE(503),
    /** The connection is closed without an answer; nothing done. Logged with status 0. */
    DROP_CONNECTION(0),
    /**
     * The request is carried out, then the connection is closed without an answer (the answer was
     * lost on the way back). Logged with the status the answer would have had.
     */
    LOST_RESPONSE(0);

    private final int status;

    Fault(int status) {
      this.status = status;
    }

    /** The HTTP status of the fault's answer, 0 for the faults that send none. */
    public int status() {
      return status;
    }
  }

  /** What to do with one request: a fault or {@code null}, and a delay (possibly zero). */
  record Decision(Fault fault, Duration delay) {}

  private Random random = new Random();
  private final Map<Fault, Double> rates = new EnumMap<>(Fault.class);
  private final Deque<Fault> scripted = new ArrayDeque<>();
  private Duration minDelay = Duration.ZERO;
  private Duration maxDelay = Duration.ZERO;
  private double slowFraction = 1.0;
  private Duration retryAfter = Duration.ofSeconds(1);
  private String scopeMethod;
  private Pattern scopePath;
  private int limitRequests;
  private long limitWindowNanos;
  private final Deque<Long> admitted = new ArrayDeque<>();

  /** Restarts the random sequence from {@code seed}. */
  public synchronized Faults seed(long seed) {
    random = new Random(seed);
    return this;
  }

  /**
   * The fraction (0..1) of in-scope requests answered with {@code fault}; the sum over all faults
   * must stay at most 1. A fraction of 0 switches the fault off.
   */
  public synchronized Faults rate(Fault fault, double fraction) {
    Objects.requireNonNull(fault);
    if (fraction < 0 || fraction > 1) {
      throw new IllegalArgumentException("fraction must be within 0..1: " + fraction);
    }
    double others =
        rates.entrySet().stream()
            .filter(e -> e.getKey() != fault)
            .mapToDouble(Map.Entry::getValue)
            .sum();
    if (others + fraction > 1 + 1e-9) {
      throw new IllegalArgumentException("fault rates add up to more than 1");
    }
    rates.put(fault, fraction);
    return this;
  }

  /** The next {@code count} in-scope requests get {@code fault}, before any random draw. */
  public synchronized Faults next(Fault fault, int count) {
    Objects.requireNonNull(fault);
    for (int i = 0; i < count; i++) {
      scripted.add(fault);
    }
    return this;
  }

  /** Every in-scope request is answered {@code delay} late. */
  public synchronized Faults latency(Duration delay) {
    return latency(delay, delay);
  }

  /** Every in-scope request is answered late by a uniformly random delay within [min, max]. */
  public synchronized Faults latency(Duration min, Duration max) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 <= min <= max");
    }
    minDelay = min;
    maxDelay = max;
    return this;
  }

  /** Only this fraction (0..1) of in-scope requests gets the {@linkplain #latency latency}. */
  public synchronized Faults slowFraction(double fraction) {
    if (fraction < 0 || fraction > 1) {
      throw new IllegalArgumentException("fraction must be within 0..1: " + fraction);
    }
    slowFraction = fraction;
    return this;
  }

  /**
   * The {@code Retry-After} of injected 429 answers (whole seconds, rounded up); {@code null}
   * leaves the header out. Default 1 s.
   */
  public synchronized Faults retryAfter(Duration retryAfter) {
    this.retryAfter = retryAfter;
    return this;
  }

  /**
   * Limits scripted faults, random faults and latency to requests whose full path (e.g. {@code
   * /api/v1/servers/101/build}) contains a match of {@code pathRegex} ({@code null}: any path).
   */
  public synchronized Faults scope(String pathRegex) {
    return scope(null, pathRegex);
  }

  /** As {@link #scope(String)}, and also to one HTTP method ({@code null}: any method). */
  public synchronized Faults scope(String method, String pathRegex) {
    scopeMethod = method;
    scopePath = pathRegex == null ? null : Pattern.compile(pathRegex);
    return this;
  }

  /**
   * Admits at most {@code requests} authenticated requests within any {@code per} (a sliding
   * window), answering the rest 429 with {@code Retry-After} and {@code X-RateLimit-Limit}. {@code
   * requests} 0 switches the limit off.
   */
  public synchronized Faults rateLimit(int requests, Duration per) {
    if (requests < 0 || per.isNegative() || (requests > 0 && per.isZero())) {
      throw new IllegalArgumentException("need requests >= 0 and a positive window");
    }
    limitRequests = requests;
    limitWindowNanos = per.toNanos();
    admitted.clear();
    return this;
  }

  /** Back to no faults, no latency, no rate limit, any scope, a fresh unseeded random. */
  public synchronized Faults clear() {
    random = new Random();
    rates.clear();
    scripted.clear();
    minDelay = Duration.ZERO;
    maxDelay = Duration.ZERO;
    slowFraction = 1.0;
    retryAfter = Duration.ofSeconds(1);
    scopeMethod = null;
    scopePath = null;
    limitRequests = 0;
    admitted.clear();
    return this;
  }

  synchronized Decision decide(String method, String path) {
    if (scopeMethod != null && !scopeMethod.equalsIgnoreCase(method)) {
      return new Decision(null, Duration.ZERO);
    }
    if (scopePath != null && !scopePath.matcher(path).find()) {
      return new Decision(null, Duration.ZERO);
    }
    Fault fault = scripted.poll();
    if (fault == null) {
      double draw = random.nextDouble();
      double cumulative = 0;
      for (Map.Entry<Fault, Double> e : rates.entrySet()) {
        cumulative += e.getValue();
        if (draw < cumulative) {
          fault = e.getKey();
          break;
        }
      }
    }
    Duration delay = Duration.ZERO;
    if (!maxDelay.isZero() && (slowFraction >= 1 || random.nextDouble() < slowFraction)) {
      long span = maxDelay.toNanos() - minDelay.toNanos();
      long extra = span == 0 ? 0 : (long) (random.nextDouble() * (span + 1));
      delay = minDelay.plusNanos(extra);
    }
    return new Decision(fault, delay);
  }

  /** The {@code Retry-After} value for an injected 429, or {@code null} for none. */
  synchronized Long retryAfterSeconds() {
    if (retryAfter == null) {
      return null;
    }
    return ceilSeconds(retryAfter.toNanos());
  }

  /**
   * Admits one request at {@code nowNanos} ({@link System#nanoTime()}): {@code null} when it is
   * within the limit, else the seconds after which a request would be admitted again.
   */
  synchronized Long admit(long nowNanos) {
    if (limitRequests == 0) {
      return null;
    }
    while (!admitted.isEmpty() && nowNanos - admitted.peekFirst() >= limitWindowNanos) {
      admitted.pollFirst();
    }
    if (admitted.size() >= limitRequests) {
      return Math.max(1, ceilSeconds(admitted.peekFirst() + limitWindowNanos - nowNanos));
    }
    admitted.addLast(nowNanos);
    return null;
  }

  synchronized int limit() {
    return limitRequests;
  }

  private static long ceilSeconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }
}
