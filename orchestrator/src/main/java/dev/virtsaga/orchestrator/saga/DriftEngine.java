package dev.virtsaga.orchestrator.saga;

import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.lifecycle.StateChanged;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.observation.CircuitChanged;
import dev.virtsaga.events.observation.CircuitChanged.CircuitState;
import dev.virtsaga.events.observation.Observation;
import dev.virtsaga.events.observation.ProviderHealthChanged;
import dev.virtsaga.events.observation.VmObserved;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.orchestrator.Operation;
import dev.virtsaga.orchestrator.Vm;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What the watcher's observations do to a VM (ARCHITECTURE.md §3, invariants 4 and 5), as pure
 * logic like {@link SagaEngine}: no I/O, no clock.
 *
 * <ul>
 *   <li>What was seen is recorded when it differs from what is stored (observed power and time, IPs
 *       when reported, the provider's reference when missing); an observation equal to what is
 *       stored, or older than it, changes nothing.
 *   <li>With an operation running, an observation of the current step's goal (power on seen ON,
 *       stop seen OFF, suspend seen PAUSED, resume seen ON) completes the step as its task's
 *       success would; anything else is only recorded. A delete is never completed by observation.
 *   <li>With none running: a VM gone from its provider becomes FAILED ({@value #VANISHED}); a power
 *       other than the one its state implies is drift, handled by the VM's {@link DriftPolicy}:
 *       ADOPT (the state follows), ENFORCE (a corrective operation), ALERT (reported once).
 *   <li>A provider that cannot be reached marks its VMs {@value #PROVIDER_REACHABLE}=False and
 *       never changes their state; once it answers again they are marked True.
 * </ul>
 */
public final class DriftEngine {
  /** The reason of the state change that follows drift. */
  public static final String DRIFT = "drift";

  /** The reason of the state change of a VM that is gone from its provider. */
  public static final String VANISHED = "VANISHED";

  /** The condition that says whether the VM's provider answers the watcher. */
  public static final String PROVIDER_REACHABLE = "ProviderReachable";

  /** Condition reasons. */
  public static final String UNREACHABLE = "Unreachable";

  public static final String HEALTHY = "Healthy";
  public static final String CIRCUIT_OPEN = "CircuitOpen";
  public static final String CIRCUIT_CLOSED = "CircuitClosed";

  /** The operations an observation of their goal completes. */
  private static final Set<CommandType> PROVABLE =
      EnumSet.of(
          CommandType.CREATE,
          CommandType.START,
          CommandType.STOP,
          CommandType.SUSPEND,
          CommandType.RESUME);

  private final SagaEngine sagas;

  public DriftEngine(SagaEngine sagas) {
    this.sagas = sagas;
  }

  /** The stable state a power implies (CRASHED counts as off); null when none does. */
  public static VmState stateOf(PowerState power) {
    return switch (power) {
      case ON -> VmState.RUNNING;
      case OFF, CRASHED -> VmState.STOPPED;
      case PAUSED -> VmState.SUSPENDED;
      case UNKNOWN, NOT_FOUND -> null;
    };
  }

  /** The power a state implies; null for states that imply none. */
  public static PowerState expectedPower(VmState state) {
    return switch (state) {
      case RUNNING -> PowerState.ON;
      case STOPPED -> PowerState.OFF;
      case SUSPENDED -> PowerState.PAUSED;
      default -> null;
    };
  }

  // ---------------------------------------------------------------- VM observations

  /**
   * Handles the watcher's sighting of one VM.
   *
   * @param vm the VM, or null when none with that id exists (the gateway offers those for adoption)
   */
  public Decision onObserved(Vm vm, VmObserved obs, Instant now) {
    if (vm == null
        || vm.state() == VmState.DELETED
        || !vm.provider().equals(obs.provider())
        || isStale(vm, obs)) {
      return Decision.none();
    }
    PowerState power =
        obs.kind() == VmObserved.Kind.DELETED
            ? PowerState.NOT_FOUND
            : obs.power() == null ? PowerState.UNKNOWN : obs.power();
    Vm seen = record(vm, obs, power);
    Operation op = vm.operation();
    if (op != null) {
      return completes(op, power, obs)
          ? sagas.proven(seen, obs.at(), now)
          : recorded(vm, seen, now);
    }
    if (power == PowerState.NOT_FOUND) {
      return vm.state() == VmState.FAILED ? recorded(vm, seen, now) : vanished(seen, obs, now);
    }
    PowerState expected = expectedPower(vm.state());
    if (expected == null || power == PowerState.UNKNOWN || asExpected(power) == expected) {
      return recorded(vm, seen, now);
    }
    DriftPolicy policy = vm.spec().effectiveDriftPolicy();
    return switch (policy) {
      case ADOPT -> adopt(seen, expected, power, policy, now);
      case ALERT ->
          vm.observedPower() == power
              ? recorded(vm, seen, now) // reported when it began
              : new Decision(
                  seen.bumped(now),
                  List.of(),
                  List.of(
                      new PowerDrifted(
                          vm.id(), vm.state(), expected, power, DriftPolicy.ALERT, null, now)));
      case ENFORCE -> enforce(vm, seen, expected, power, now);
    };
  }

  /** Older than what is stored: a sighting made before the last one (or before a task's report). */
  private static boolean isStale(Vm vm, VmObserved obs) {
    return obs.at() != null && vm.observedAt() != null && obs.at().isBefore(vm.observedAt());
  }

  /** CRASHED counts as not on, i.e. off. */
  private static PowerState asExpected(PowerState power) {
    return power == PowerState.CRASHED ? PowerState.OFF : power;
  }

  /** The VM with what was seen recorded; the same instance when nothing differs. */
  private static Vm record(Vm vm, VmObserved obs, PowerState power) {
    boolean hasIps = obs.ips() != null && !obs.ips().isEmpty();
    boolean newRef = obs.providerRef() != null && vm.providerRef() == null;
    if (vm.observedPower() == power && !newRef && (!hasIps || obs.ips().equals(vm.ips()))) {
      return vm;
    }
    return vm.observed(newRef ? obs.providerRef() : null, power, hasIps ? obs.ips() : null)
        .seen(obs.at());
  }

  /** Only what was seen changes (nothing at all when nothing differs). */
  private static Decision recorded(Vm before, Vm seen, Instant now) {
    return seen == before ? Decision.none() : new Decision(seen.bumped(now), List.of(), List.of());
  }

  /**
   * Whether seeing {@code power} proves the running operation's current step done. A power-on is
   * proven only with the guest's addresses: the worker's start reports them (it waits for them
   * where the provider can tell), and a VM must not become RUNNING without what its start would
   * have given it; without them the task's report completes the step.
   */
  private static boolean completes(Operation op, PowerState power, VmObserved obs) {
    Instant at = obs.at();
    return PROVABLE.contains(op.type())
        && !op.compensating()
        && Steps.byId(op.step()).provenBy() == power
        && (power != PowerState.ON || (obs.ips() != null && !obs.ips().isEmpty()))
        // a sighting from before the operation began proves nothing about it
        && (at == null || op.startedAt() == null || !at.isBefore(op.startedAt()));
  }

  /** The VM is gone from its provider while VirtSaga thought it there. */
  private static Decision vanished(Vm seen, VmObserved obs, Instant now) {
    VmState from = seen.state();
    TaskError error =
        TaskError.of(
            ErrorType.NOT_FOUND,
            "the VM vanished from provider "
                + obs.provider()
                + (obs.at() == null ? "" : " (seen gone at " + obs.at() + ")"));
    Vm failed = seen.with(VmState.FAILED, null).withLastError(error).bumped(now);
    return new Decision(
        failed,
        List.of(),
        List.of(
            new StateChanged(
                failed.id(), from, VmState.FAILED, failed.version(), null, VANISHED, now)));
  }

  /** The state follows the observed power. */
  private static Decision adopt(
      Vm seen, PowerState expected, PowerState power, DriftPolicy policy, Instant now) {
    VmState from = seen.state();
    VmState to = stateOf(power);
    Vm next = seen.with(to, null).bumped(now);
    return new Decision(
        next,
        List.of(),
        List.of(
            new PowerDrifted(next.id(), from, expected, power, policy, null, now),
            new StateChanged(next.id(), from, to, next.version(), null, DRIFT, now)));
  }

  /**
   * A corrective operation brings the VM back to the power its state implies. Its id depends only
   * on the VM and its version, so a redelivered observation decides the same. A suspended VM found
   * off cannot be brought back (its memory is gone): its state follows, as with ADOPT.
   */
  private Decision enforce(Vm vm, Vm seen, PowerState expected, PowerState power, Instant now) {
    CommandType correction = correction(expected, asExpected(power));
    if (correction == null) {
      return adopt(seen, expected, power, DriftPolicy.ENFORCE, now);
    }
    String operationId = enforcementId(vm);
    PowerDrifted drift =
        new PowerDrifted(
            vm.id(), vm.state(), expected, power, DriftPolicy.ENFORCE, operationId, now);
    return sagas.enforce(seen, drift, stateOf(power), correction, now);
  }

  /** The id of the corrective operation ENFORCE starts for this version of the VM. */
  public static String enforcementId(Vm vm) {
    return UUID.nameUUIDFromBytes(
            (vm.id() + ":" + vm.version() + ":enforce").getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  /** The operation that brings a VM whose power is {@code observed} back to {@code expected}. */
  static CommandType correction(PowerState expected, PowerState observed) {
    return switch (expected) {
      case ON -> observed == PowerState.OFF ? CommandType.START : CommandType.RESUME;
      case OFF -> CommandType.STOP; // forced: from on or paused
      case PAUSED -> observed == PowerState.ON ? CommandType.SUSPEND : null;
      default -> throw new IllegalArgumentException("no state implies " + expected);
    };
  }

  // ---------------------------------------------------------------- provider reachability

  /**
   * What a provider-level observation says about reaching the provider.
   *
   * @param reason the condition's reason ({@value #UNREACHABLE}, {@value #CIRCUIT_OPEN}, {@value
   *     #HEALTHY}, {@value #CIRCUIT_CLOSED})
   */
  public record Reachability(
      String provider, boolean reachable, String reason, String message, Instant at) {

    /** The condition it gives the provider's VMs. */
    public Condition condition(Instant now) {
      return new Condition(PROVIDER_REACHABLE, reachable, reason, message, at != null ? at : now);
    }
  }

  /**
   * Whether a provider-level observation changes reachability: UNREACHABLE health or an OPEN
   * circuit makes the provider unreachable, HEALTHY health or a CLOSED circuit reachable again;
   * anything else (UNHEALTHY, UNKNOWN, HALF_OPEN, relists, VM sightings) says nothing about it.
   */
  public static Optional<Reachability> reachability(Observation o) {
    if (o instanceof ProviderHealthChanged h && h.health() == ProviderHealth.UNREACHABLE) {
      return Optional.of(new Reachability(h.provider(), false, UNREACHABLE, h.message(), h.at()));
    }
    if (o instanceof ProviderHealthChanged h && h.health() == ProviderHealth.HEALTHY) {
      return Optional.of(new Reachability(h.provider(), true, HEALTHY, null, h.at()));
    }
    if (o instanceof CircuitChanged c && c.to() == CircuitState.OPEN) {
      return Optional.of(new Reachability(c.provider(), false, CIRCUIT_OPEN, c.reason(), c.at()));
    }
    if (o instanceof CircuitChanged c && c.to() == CircuitState.CLOSED) {
      return Optional.of(new Reachability(c.provider(), true, CIRCUIT_CLOSED, null, c.at()));
    }
    return Optional.empty();
  }

  /**
   * Marks one VM of the provider reachable or not. Its state never changes (invariant 5); a VM
   * whose condition says so already is not written. A VM without the condition counts as reachable.
   */
  public Decision onReachability(Vm vm, Reachability r, Instant now) {
    if (vm == null || vm.state() == VmState.DELETED || !vm.provider().equals(r.provider())) {
      return Decision.none();
    }
    Condition current = vm.condition(PROVIDER_REACHABLE);
    boolean reachable = current == null || current.status();
    if (reachable == r.reachable()) {
      return Decision.none();
    }
    if (current != null
        && current.since() != null
        && r.at() != null
        && r.at().isBefore(current.since())) {
      return Decision.none(); // older news than the condition's
    }
    return new Decision(vm.withCondition(r.condition(now)).bumped(now), List.of(), List.of());
  }
}
