package dev.virtsaga.gateway.service;

import dev.virtsaga.events.lifecycle.CommandRejected;
import dev.virtsaga.events.lifecycle.LifecycleEvent;
import dev.virtsaga.events.lifecycle.OperationFailed;
import dev.virtsaga.events.lifecycle.OperationSucceeded;
import dev.virtsaga.events.lifecycle.VmDeleted;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.state.OperationView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.OperationInFlightException;
import dev.virtsaga.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One operation per VM, enforced at the gateway (ARCHITECTURE.md §3, invariant 2) so a second
 * command posted right after a first gets 409 synchronously; the orchestrator remains the final
 * judge and rejects what slips through (several gateway instances, a lost race).
 *
 * <p>A VM is busy when its snapshot carries an operation, or when this gateway published a command
 * for it that has not finished: until a lifecycle event ends it ({@code OperationSucceeded}, {@code
 * OperationFailed}, {@code CommandRejected}), a snapshot shows it as the last operation with none
 * in flight, the VM is gone, or it is older than the configured timeout. Delete pre-empts any
 * operation but another delete; abort goes alongside the migration it cancels.
 */
@ApplicationScoped
public class InFlightTracker {

  /** A command this gateway published and has not seen finish. */
  public record Pending(String operationId, CommandType type, Instant since) {}

  /** A reserved slot; release it when the command could not be published. */
  public final class Reservation {
    private final String vmId;
    private final Pending mine;
    private final Pending previous;

    private Reservation(String vmId, Pending mine, Pending previous) {
      this.vmId = vmId;
      this.mine = mine;
      this.previous = previous;
    }

    /** Gives the slot back (restoring the operation a delete pre-empted). */
    public void release() {
      pending.computeIfPresent(vmId, (id, current) -> current == mine ? previous : current);
    }
  }

  /** How many finished operation ids are remembered (a bounded, oldest-out set). */
  static final int FINISHED_MEMORY = 10_000;

  private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();

  /**
   * Operations lifecycle events said finished, most recent last: the VM's snapshot (another topic)
   * may still show one in flight for a moment, and must not refuse the next command for it.
   */
  private final Map<String, Boolean> finished =
      Collections.synchronizedMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > FINISHED_MEMORY;
            }
          });

  private final GatewayConfig config;
  private final Clock clock;

  @Inject
  public InFlightTracker(GatewayConfig config) {
    this(config, Clock.systemUTC());
  }

  InFlightTracker(GatewayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Reserves the VM for a new operation, atomically.
   *
   * @param current the operation the VM's snapshot shows in flight, if any (one a lifecycle event
   *     already said finished does not count: the snapshot saying so may not have arrived yet)
   * @throws OperationInFlightException when the VM is busy
   */
  public Reservation reserve(
      String vmId, String operationId, CommandType type, OperationView current) {
    if (current != null && !finished.containsKey(current.id()) && conflicts(type, current.type())) {
      throw new OperationInFlightException(vmId, current.id());
    }
    Instant now = clock.instant();
    Pending mine = new Pending(operationId, type, now);
    Pending[] previous = new Pending[1];
    Pending winner =
        pending.compute(
            vmId,
            (id, existing) -> {
              Pending live = existing != null && !expired(existing, now) ? existing : null;
              if (live != null
                  && (live.operationId().equals(operationId) || conflicts(type, live.type()))) {
                return existing;
              }
              previous[0] = live;
              return mine;
            });
    if (winner != mine) {
      if (winner.operationId().equals(operationId)) {
        // the same command published again (a project's create): it does not wait for itself
        return new Reservation(vmId, winner, winner);
      }
      throw new OperationInFlightException(vmId, winner.operationId());
    }
    return new Reservation(vmId, mine, previous[0]);
  }

  /** The command this gateway published for the VM and has not seen finish, if any. */
  public Optional<Pending> pending(String vmId) {
    Pending p = pending.get(vmId);
    return p == null || expired(p, clock.instant()) ? Optional.empty() : Optional.of(p);
  }

  /**
   * Takes note of a lifecycle event: a finished operation frees its VM. Other events (a state
   * change, a power drift, progress) free nothing.
   */
  public void onLifecycle(LifecycleEvent event) {
    if (event instanceof OperationSucceeded e) {
      finished(e.vmId(), e.operationId());
    } else if (event instanceof OperationFailed e) {
      finished(e.vmId(), e.operationId());
    } else if (event instanceof CommandRejected e) {
      finished(e.vmId(), e.operationId());
    } else if (event instanceof VmDeleted e) {
      pending.remove(e.vmId());
    }
  }

  /** Takes note of a snapshot: one showing our operation as finished frees its VM. */
  public void onSnapshot(VmSnapshot snapshot) {
    if (snapshot.operation() == null && snapshot.lastOperationId() != null) {
      finished(snapshot.vmId(), snapshot.lastOperationId());
    }
  }

  /** The VM is gone (tombstone). */
  public void onVmGone(String vmId) {
    pending.remove(vmId);
  }

  private void finished(String vmId, String operationId) {
    if (operationId != null) {
      finished.put(operationId, Boolean.TRUE);
      pending.computeIfPresent(vmId, (id, p) -> p.operationId().equals(operationId) ? null : p);
    }
  }

  private boolean expired(Pending p, Instant now) {
    return p.since().plus(config.inFlight().timeout()).isBefore(now);
  }

  /**
   * Whether a new command of type {@code next} must wait for an operation of type {@code running}.
   */
  static boolean conflicts(CommandType next, CommandType running) {
    return switch (next) {
        // delete pre-empts anything but another delete
      case DELETE -> running == CommandType.DELETE;
        // abort exists to cancel a running migration
      case ABORT -> running != CommandType.MIGRATE;
      default -> true;
    };
  }
}
