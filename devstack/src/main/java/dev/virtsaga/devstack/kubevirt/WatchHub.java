package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Watches as the API server serves them, over the WebSocket upgrade fabric8's client uses.
 *
 * <p>Every change of the store is kept in a bounded history (the "watch cache"). A watch with a
 * {@code resourceVersion} gets the changes after it, then the live ones; a watch without one (or
 * with {@code "0"}) gets the current objects as {@code ADDED} first; one whose resourceVersion is
 * older than the history gets an {@code ERROR} event with a {@code Status} 410 Expired and ends.
 * {@code allowWatchBookmarks=true} adds periodic {@code BOOKMARK} events, {@code
 * sendInitialEvents=true} ends the initial {@code ADDED}s with a bookmark annotated {@code
 * k8s.io/initial-events-end}, {@code timeoutSeconds} ends the watch normally. Label and field
 * selectors filter as in the store ({@code MODIFIED} that moves an object out of a selector is sent
 * as {@code DELETED}, into it as {@code ADDED}).
 *
 * <p>Ordering: changes are published under this hub's lock in resourceVersion order and delivered
 * by one thread, so every watch sees them in order.
 */
final class WatchHub implements AutoCloseable {

  /** One change: the object after it (for a deletion: the last state, with a new version). */
  private record Change(
      long rv,
      String objectJson,
      AttributeSet oldAttributes,
      AttributeSet newAttributes,
      boolean deleted) {}

  private final ScheduledThreadPoolExecutor executor =
      new ScheduledThreadPoolExecutor(
          1,
          r -> {
            Thread t = new Thread(r, "kubevirt-sim-watch");
            t.setDaemon(true);
            return t;
          });
  private final Set<Stream> streams = new LinkedHashSet<>();
  private final Deque<Change> history = new ArrayDeque<>();
  private final int historyLimit;
  private long compactedRv;
  private long lastRv;

  WatchHub(int historyLimit, Duration bookmarkInterval) {
    this.historyLimit = historyLimit;
    // at close, pending watch timeouts are moot
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    long ms = Math.max(50, bookmarkInterval.toMillis());
    executor.scheduleAtFixedRate(this::bookmarks, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Records a change and sends it to the matching watches; called in resourceVersion order. */
  synchronized void publish(
      long rv,
      String objectJson,
      AttributeSet oldAttributes,
      AttributeSet newAttributes,
      boolean deleted) {
    Change c = new Change(rv, objectJson, oldAttributes, newAttributes, deleted);
    lastRv = Math.max(lastRv, rv);
    history.addLast(c);
    while (history.size() > historyLimit) {
      compactedRv = history.removeFirst().rv();
    }
    for (Stream s : streams) {
      String type = type(s.query, c);
      if (type != null) {
        String message = event(type, c.objectJson());
        run(() -> s.deliver(message));
      }
    }
  }

  /** Drops the whole history, like an etcd compaction: older resourceVersions get 410. */
  synchronized void compact() {
    compactedRv = lastRv;
    history.clear();
  }

  /** The latest resourceVersion published. */
  synchronized long lastResourceVersion() {
    return lastRv;
  }

  /**
   * Opens a watch.
   *
   * @param current the stored objects with their store attributes, for a watch without version
   * @param expire whether the watch must end at once with 410 (fault injection)
   */
  synchronized Stream open(
      AttributeSet query,
      String kind,
      String apiVersion,
      Map<String, String> params,
      boolean client,
      boolean expire,
      List<Map.Entry<AttributeSet, String>> current) {
    Stream s =
        new Stream(
            query, kind, apiVersion, client, "true".equals(params.get("allowWatchBookmarks")));
    String rvParam = params.get("resourceVersion");
    boolean initialEvents = "true".equals(params.get("sendInitialEvents"));
    if (expire) {
      long rv = parseOr(rvParam, lastRv);
      s.expire("too old resource version: " + rv + " (" + (lastRv + 1) + ")");
      return s;
    }
    List<String> backlog = new ArrayList<>();
    if (rvParam == null || rvParam.isEmpty() || "0".equals(rvParam) || initialEvents) {
      List<ObjectNode> objects = new ArrayList<>();
      for (Map.Entry<AttributeSet, String> e : current) {
        if (e.getKey().matches(query)) {
          ObjectNode o = KubeJson.parseObject(e.getValue());
          if (o != null) {
            objects.add(o);
          }
        }
      }
      objects.sort(
          Comparator.comparingLong(
              o -> parseOr(KubeJson.text(o, "metadata", "resourceVersion"), 0)));
      objects.forEach(o -> backlog.add(event("ADDED", KubeJson.write(o))));
      if (initialEvents) {
        backlog.add(bookmark(kind, apiVersion, lastRv, true));
      }
    } else {
      long rv;
      try {
        rv = Long.parseLong(rvParam);
      } catch (NumberFormatException e) {
        s.expire("resourceVersion: Invalid value: \"" + rvParam + "\": invalid resource version");
        return s;
      }
      if (rv < compactedRv) {
        s.expire("too old resource version: " + rv + " (" + (compactedRv + 1) + ")");
        return s;
      }
      for (Change c : history) {
        if (c.rv() > rv) {
          String type = type(query, c);
          if (type != null) {
            backlog.add(event(type, c.objectJson()));
          }
        }
      }
    }
    streams.add(s);
    run(() -> backlog.forEach(s::deliver));
    String timeout = params.get("timeoutSeconds");
    long seconds = parseOr(timeout, 0);
    if (seconds > 0) {
      try {
        executor.schedule(s::end, seconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the simulator is shutting down
      }
    }
    return s;
  }

  /** Ends up to {@code max} open client watches with 410; returns how many. */
  synchronized int expireOpen(int max) {
    int n = 0;
    for (Stream s : new ArrayList<>(streams)) {
      if (n >= max) {
        break;
      }
      if (s.client) {
        streams.remove(s);
        String message = "too old resource version: " + lastRv + " (" + (lastRv + 1) + ")";
        run(() -> s.expireNow(message));
        n++;
      }
    }
    return n;
  }

  /** Drops every open client watch's connection (the API server went away). */
  synchronized void dropClients() {
    for (Stream s : new ArrayList<>(streams)) {
      if (s.client) {
        streams.remove(s);
        run(s::drop);
      }
    }
  }

  synchronized int openCount() {
    return streams.size();
  }

  private synchronized void remove(Stream s) {
    streams.remove(s);
  }

  private synchronized void bookmarks() {
    for (Stream s : streams) {
      if (s.bookmarks) {
        String message = bookmark(s.kind, s.apiVersion, lastRv, false);
        run(() -> s.deliver(message));
      }
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      for (Stream s : streams) {
        run(s::drop);
      }
      streams.clear();
    }
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs {@code task} on the hub's thread (dropped once the hub is closed). */
  private void run(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the simulator is shutting down
    }
  }

  private static String type(AttributeSet query, Change c) {
    boolean matchesOld = c.oldAttributes() != null && c.oldAttributes().matches(query);
    boolean matchesNew =
        !c.deleted() && c.newAttributes() != null && c.newAttributes().matches(query);
    if (matchesOld && matchesNew) {
      return "MODIFIED";
    }
    if (matchesOld) {
      return "DELETED";
    }
    return matchesNew ? "ADDED" : null;
  }

  private static String event(String type, String objectJson) {
    return "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}";
  }

  private static String bookmark(String kind, String apiVersion, long rv, boolean initialEnd) {
    ObjectNode o = KubeJson.object();
    o.put("kind", kind);
    o.put("apiVersion", apiVersion);
    ObjectNode meta = o.putObject("metadata");
    meta.put("resourceVersion", Long.toString(rv));
    if (initialEnd) {
      meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
    }
    return event("BOOKMARK", KubeJson.write(o));
  }

  private static long parseOr(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /**
   * One watch connection. All its state is touched only on the hub's thread: messages sent before
   * the WebSocket is open are buffered.
   */
  final class Stream extends WebSocketListener {
    final AttributeSet query;
    final String kind;
    final String apiVersion;
    final boolean client;
    final boolean bookmarks;
    private WebSocket socket;
    private final List<String> pending = new ArrayList<>();
    private boolean ended;
    private boolean endWhenOpen;

    private Stream(
        AttributeSet query, String kind, String apiVersion, boolean client, boolean bookmarks) {
      this.query = query;
      this.kind = kind;
      this.apiVersion = apiVersion;
      this.client = client;
      this.bookmarks = bookmarks;
    }

    /** Queues the 410 and the end (before the stream is registered). */
    private void expire(String message) {
      String m = event("ERROR", KubeJson.write(ApiStatus.expired(message)));
      run(
          () -> {
            deliver(m);
            end();
          });
    }

    private void expireNow(String message) {
      deliver(event("ERROR", KubeJson.write(ApiStatus.expired(message))));
      end();
    }

    private void deliver(String message) {
      if (ended) {
        return;
      }
      if (socket == null) {
        pending.add(message);
      } else {
        socket.send(message);
      }
    }

    /** Ends the watch normally (as at its timeout). */
    private void end() {
      remove(this);
      if (socket == null) {
        endWhenOpen = true;
        return;
      }
      if (!ended) {
        ended = true;
        socket.close(1000, "");
      }
    }

    /** Closes the connection as a server going away. */
    private void drop() {
      if (socket == null) {
        endWhenOpen = true;
        return;
      }
      if (!ended) {
        ended = true;
        socket.close(1001, "server going away");
      }
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      run(
          () -> {
            socket = webSocket;
            pending.forEach(webSocket::send);
            pending.clear();
            if (endWhenOpen) {
              end();
            }
          });
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      remove(this);
      run(
          () -> {
            ended = true;
            webSocket.close(code, reason);
          });
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      remove(this);
      run(() -> ended = true);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable error, Response response) {
      remove(this);
      run(
          () -> {
            ended = true;
            webSocket.close(1011, "failure");
          });
    }
  }
}
