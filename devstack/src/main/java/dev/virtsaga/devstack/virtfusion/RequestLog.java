package dev.virtsaga.devstack.virtfusion;

import dev.virtsaga.devstack.virtfusion.Faults.Fault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every request a {@link VirtFusionSimulator} received, in the order they were answered: when it
 * arrived, method, path, status, and the fault injected into it if any. Thread-safe; read it from
 * tests to check what a client sent and how fast.
 */
public final class RequestLog {

  /**
   * One request.
   *
   * @param at when the request arrived (before any injected latency)
   * @param method HTTP method
   * @param path the path without the query, e.g. {@code /api/v1/servers/101}
   * @param query the query string, or {@code ""}
   * @param status the answer's status; 0 when the connection was dropped without one ({@link
   *     Fault#DROP_CONNECTION}); for {@link Fault#LOST_RESPONSE} the status the lost answer had
   * @param fault the injected fault, {@code null} for none (the rate limit's 429 is not a fault)
   * @param took from arrival to answer, including injected latency
   */
  public record Entry(
      Instant at,
      String method,
      String path,
      String query,
      int status,
      Fault fault,
      Duration took) {

    /** Whether a fault was injected into this request. */
    public boolean injected() {
      return fault != null;
    }
  }

  private final List<Entry> entries = new ArrayList<>();

  synchronized void add(Entry entry) {
    entries.add(entry);
  }

  /** All requests so far, oldest answer first. */
  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /**
   * The requests with this method ({@code null}: any) whose path contains a match of {@code
   * pathRegex} ({@code null}: any).
   */
  public synchronized List<Entry> entries(String method, String pathRegex) {
    Pattern pattern = pathRegex == null ? null : Pattern.compile(pathRegex);
    return entries.stream()
        .filter(e -> method == null || method.equalsIgnoreCase(e.method()))
        .filter(e -> pattern == null || pattern.matcher(e.path()).find())
        .toList();
  }

  public synchronized int size() {
    return entries.size();
  }

  public synchronized void clear() {
    entries.clear();
  }

  /**
   * The largest number of requests (as {@link #entries(String, String)} selects them) that arrived
   * within any time span of length {@code window}: a client limited to n requests per {@code
   * window} never exceeds n here.
   */
  public synchronized int peak(Duration window, String method, String pathRegex) {
    List<Instant> arrivals =
        entries(method, pathRegex).stream()
            .map(Entry::at)
            .sorted(Comparator.naturalOrder())
            .toList();
    int peak = 0;
    int first = 0;
    for (int last = 0; last < arrivals.size(); last++) {
      while (!arrivals.get(first).plus(window).isAfter(arrivals.get(last))) {
        first++;
      }
      peak = Math.max(peak, last - first + 1);
    }
    return peak;
  }

  /** {@link #peak(Duration, String, String)} over all requests. */
  public int peak(Duration window) {
    return peak(window, null, null);
  }
}
