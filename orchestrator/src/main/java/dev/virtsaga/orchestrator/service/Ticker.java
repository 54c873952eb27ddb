package dev.virtsaga.orchestrator.service;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs a reactive job every few milliseconds (Quarkus' scheduler cannot go below a second), never
 * twice at once, each round on a fresh duplicated Vert.x context marked safe so Hibernate Reactive
 * may open a session there. {@link #wake()} runs a round now (or right after the current one).
 */
public final class Ticker {
  private static final Logger LOG = Logger.getLogger(Ticker.class);

  private final Vertx vertx;
  private final String name;
  private final Supplier<Uni<?>> job;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile long timerId = -1;

  public Ticker(Vertx vertx, String name, Duration interval, Supplier<Uni<?>> job) {
    this.vertx = vertx;
    this.name = name;
    this.job = job;
    this.timerId = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> wake());
  }

  /** Runs a round as soon as possible. */
  public void wake() {
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    VertxContextSafetyToggle.setContextSafe(ctx, true);
    ctx.runOnContext(v -> round());
  }

  private void round() {
    again.set(false);
    Uni<?> uni;
    try {
      uni = job.get();
    } catch (RuntimeException e) {
      uni = Uni.createFrom().failure(e);
    }
    uni.subscribe()
        .with(
            ok -> done(),
            failure -> {
              LOG.warnf("%s round failed, will retry: %s", name, failure.toString());
              done();
            });
  }

  private void done() {
    running.set(false);
    if (again.get()) {
      wake();
    }
  }

  public void stop() {
    vertx.cancelTimer(timerId);
  }
}
