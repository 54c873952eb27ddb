package dev.virtsaga.orchestrator.service;

import dev.virtsaga.orchestrator.config.OrchestratorConfig;
import dev.virtsaga.orchestrator.repository.VmRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Drives every VM whose step deadline or retry time has come (invariant 1: nothing stays in a
 * transitional state forever). Each VM is handled in its own transaction.
 */
@ApplicationScoped
public class DeadlineSweeper {
  private static final Logger LOG = Logger.getLogger(DeadlineSweeper.class);

  private final VmRepository vms;
  private final VmService service;
  private final int batch;
  private volatile Ticker ticker;

  public DeadlineSweeper(VmRepository vms, VmService service, OrchestratorConfig config) {
    this.vms = vms;
    this.service = service;
    this.batch = config.sweepBatch();
  }

  void start(@Observes StartupEvent ev, Vertx vertx, OrchestratorConfig config) {
    ticker = new Ticker(vertx, "deadline sweep", config.sweepInterval(), this::sweep);
  }

  void stop(@Observes ShutdownEvent ev) {
    if (ticker != null) {
      ticker.stop();
    }
  }

  Uni<Void> sweep() {
    return Panache.withSession(() -> vms.due(Instant.now(), batch))
        .onItem()
        .transformToMulti(ids -> Multi.createFrom().iterable(ids))
        .onItem()
        .transformToUniAndConcatenate(
            id ->
                service
                    .onTimer(id)
                    .onFailure()
                    .recoverWithItem(
                        t -> {
                          LOG.warnf("vmId=%s timer failed, will retry: %s", id, t.toString());
                          return null;
                        }))
        .collect()
        .last()
        .replaceWithVoid();
  }
}
