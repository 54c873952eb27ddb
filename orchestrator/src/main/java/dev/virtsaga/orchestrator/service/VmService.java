package dev.virtsaga.orchestrator.service;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.orchestrator.Vm;
import dev.virtsaga.orchestrator.config.OrchestratorConfig;
import dev.virtsaga.orchestrator.mapping.VmMapper;
import dev.virtsaga.orchestrator.messaging.OutboxRelay;
import dev.virtsaga.orchestrator.repository.Outbox;
import dev.virtsaga.orchestrator.repository.ProcessedEventEntity;
import dev.virtsaga.orchestrator.repository.VmEntity;
import dev.virtsaga.orchestrator.repository.VmRepository;
import dev.virtsaga.orchestrator.saga.Decision;
import dev.virtsaga.orchestrator.saga.DriftEngine;
import dev.virtsaga.orchestrator.saga.SagaEngine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;
import java.time.Clock;
import java.time.Instant;
import java.util.Random;
import java.util.function.BiFunction;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;

/**
 * Runs the saga engine inside a PostgreSQL transaction: load the VM, decide, store its new version
 * with optimistic locking, write the outbox and mark the input processed — all or nothing.
 */
@ApplicationScoped
public class VmService {
  private static final Logger LOG = Logger.getLogger(VmService.class);

  /** The inbox name of the observations consumer. */
  static final String OBSERVATIONS = "observations";

  private final VmRepository vms;
  private final Outbox outbox;
  private final SagaEngine engine;
  private final DriftEngine drift;
  private final OrchestratorConfig config;
  private final Clock clock;
  private final OutboxRelay relay;

  public VmService(VmRepository vms, Outbox outbox, OutboxRelay relay, OrchestratorConfig config) {
    this.vms = vms;
    this.outbox = outbox;
    this.relay = relay;
    this.config = config;
    this.engine = new SagaEngine(config.sagaSettings(), new Random());
    this.drift = new DriftEngine(engine);
    this.clock = Clock.systemUTC();
  }

  public Uni<Void> onCommand(String eventId, VmCommand cmd) {
    return process(
        "commands", eventId, cmd.vmId(), true, (vm, now) -> engine.onCommand(vm, cmd, now));
  }

  public Uni<Void> onTaskEvent(String eventId, TaskEvent ev) {
    return process(
        "task-events", eventId, ev.vmId(), true, (vm, now) -> engine.onTaskEvent(vm, ev, now));
  }

  /**
   * The watcher saw a VM. An observation that changes nothing (most of a relist) writes nothing,
   * not even to the inbox: deciding it again changes nothing either.
   */
  public Uni<Void> onObserved(String eventId, VmObserved obs) {
    return process(
        OBSERVATIONS,
        eventId,
        obs.vmId(),
        false,
        (vm, now) -> {
          Decision d = drift.onObserved(vm, obs, now);
          if (LOG.isDebugEnabled()) {
            LOG.debugf(
                "vmId=%s observed %s %s at %s (relist %s) while %s, power %s seen at %s,"
                    + " operation %s: %s",
                obs.vmId(),
                obs.kind(),
                obs.power(),
                obs.at(),
                obs.fromRelist(),
                vm == null ? "unknown" : vm.state(),
                vm == null ? null : vm.observedPower(),
                vm == null ? null : vm.observedAt(),
                vm == null || vm.operation() == null ? null : vm.operation().id(),
                d.changed() || !d.events().isEmpty() ? d.events() : "nothing to do");
          }
          return d;
        });
  }

  /**
   * A provider became reachable or unreachable: each of its live VMs whose {@code
   * ProviderReachable} condition changes is written in a transaction of its own (new version,
   * snapshot on the state topic), then the event is marked processed.
   */
  public Uni<Void> onReachability(String eventId, DriftEngine.Reachability r) {
    return Panache.withSession(() -> processed(OBSERVATIONS, eventId))
        .chain(
            done -> {
              if (done) {
                return Uni.createFrom().voidItem();
              }
              return Panache.withSession(
                      () -> vms.reachabilityToChange(r.provider(), r.reachable()))
                  .chain(
                      ids -> {
                        LOG.infof(
                            "provider=%s %s: marking %d VMs %s=%s",
                            r.provider(),
                            r.reason(),
                            ids.size(),
                            DriftEngine.PROVIDER_REACHABLE,
                            r.reachable());
                        return Multi.createFrom()
                            .iterable(ids)
                            .onItem()
                            .transformToUniAndConcatenate(
                                id ->
                                    process(
                                            null,
                                            null,
                                            id,
                                            false,
                                            (vm, now) -> drift.onReachability(vm, r, now))
                                        .replaceWith(id))
                            .collect()
                            .last();
                      })
                  .chain(() -> Panache.withTransaction(() -> markProcessed(OBSERVATIONS, eventId)));
            });
  }

  /** Fires a due deadline or retry timer of one VM. */
  public Uni<Void> onTimer(String vmId) {
    return process(
        null,
        null,
        vmId,
        true,
        (vm, now) -> vm == null ? Decision.none() : engine.onTimer(vm, now));
  }

  /**
   * @param markUnchanged whether an event that changed nothing is marked processed too
   */
  private Uni<Void> process(
      String consumer,
      String eventId,
      String vmId,
      boolean markUnchanged,
      BiFunction<Vm, Instant, Decision> decide) {
    return Uni.createFrom()
        .deferred(
            () ->
                Panache.withTransaction(() -> once(consumer, eventId, vmId, markUnchanged, decide)))
        .onFailure(VmService::isLockConflict)
        .retry()
        .withBackOff(java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(200))
        .atMost(config.lockRetries())
        .invoke(relay::wake);
  }

  private Uni<Void> once(
      String consumer,
      String eventId,
      String vmId,
      boolean markUnchanged,
      BiFunction<Vm, Instant, Decision> decide) {
    return processed(consumer, eventId)
        .chain(
            already -> {
              if (already) {
                return Uni.createFrom().voidItem();
              }
              return vms.find(vmId)
                  .chain(
                      row -> {
                        Vm before = row == null ? null : VmMapper.toVm(row);
                        Decision d = decide.apply(before, clock.instant());
                        Uni<Void> store =
                            d.changed() ? vms.save(row, d.vm()) : Uni.createFrom().voidItem();
                        for (Vm created : d.created()) {
                          store = store.chain(() -> vms.save(null, created));
                        }
                        return store
                            .chain(() -> outbox.append(before, d))
                            .chain(
                                () ->
                                    markUnchanged || d.changed() || !d.events().isEmpty()
                                        ? markProcessed(consumer, eventId)
                                        : Uni.createFrom().voidItem())
                            .invoke(() -> log(before, d));
                      });
            });
  }

  /** Whether the consumer's inbox has the event (an event without id never is). */
  private static Uni<Boolean> processed(String consumer, String eventId) {
    if (eventId == null) {
      return Uni.createFrom().item(false);
    }
    return ProcessedEventEntity.<ProcessedEventEntity>findById(
            new ProcessedEventEntity.Key(consumer, eventId))
        .map(
            p -> {
              if (p != null) {
                LOG.debugf("event %s already processed by %s", eventId, consumer);
              }
              return p != null;
            });
  }

  private static Uni<Void> markProcessed(String consumer, String eventId) {
    if (eventId == null) {
      return Uni.createFrom().voidItem();
    }
    ProcessedEventEntity p = new ProcessedEventEntity();
    p.key = new ProcessedEventEntity.Key(consumer, eventId);
    p.processedAt = Instant.now();
    return p.persist().replaceWithVoid();
  }

  private static void log(Vm before, Decision d) {
    if (d.changed() && (before == null || before.state() != d.vm().state())) {
      Vm vm = d.vm();
      LOG.infof(
          "vmId=%s operationId=%s provider=%s state %s -> %s",
          vm.id(),
          vm.lastOperationId(),
          vm.provider(),
          before == null ? "-" : before.state(),
          vm.state());
    }
  }

  private static boolean isLockConflict(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OptimisticLockException
          || c instanceof StaleStateException
          || c instanceof org.hibernate.exception.ConstraintViolationException) {
        return true;
      }
    }
    return false;
  }

  /** For tests: the VM as stored. */
  public Uni<Vm> find(String vmId) {
    return Panache.withSession(() -> VmEntity.<VmEntity>findById(vmId))
        .map(row -> row == null ? null : VmMapper.toVm(row));
  }
}
