package dev.virtsaga.gateway;

import dev.virtsaga.events.model.VmState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How far a project's VMs have come: each VM with its state in the read model and its create
 * operation.
 */
public record ProjectProgress(Project project, List<VmProgress> vms) {

  /** Where one VM of a project stands. */
  public enum Phase {
    /** Its create has not been published yet (the gateway stopped mid-fan-out: repeat the POST). */
    NOT_SUBMITTED,
    /** Its create has not finished, or the VM is in a transitional state. */
    IN_PROGRESS,
    RUNNING,
    /** Its create failed or was rejected, or the VM is FAILED. */
    FAILED,
    /** Made, but not running now (stopped, suspended, deleted since, …). */
    OTHER;

    /**
     * @param state the VM's state in the read model, {@code null} when it has none
     * @param status its create operation's status, {@code null} when unknown (purged)
     */
    public static Phase of(boolean submitted, VmState state, OperationStatus status) {
      if (!submitted) {
        return NOT_SUBMITTED;
      }
      if (status == OperationStatus.FAILED
          || status == OperationStatus.REJECTED
          || state == VmState.FAILED) {
        return FAILED;
      }
      if (state == VmState.RUNNING) {
        return RUNNING;
      }
      if (status == OperationStatus.ACCEPTED
          || status == OperationStatus.RUNNING
          || (state != null && state.isTransitional())) {
        return IN_PROGRESS;
      }
      return OTHER;
    }
  }

  /**
   * One VM of the project.
   *
   * @param state its state in the read model, or {@code null} when the read model has it not (yet,
   *     or any more)
   * @param create its create operation, or {@code null} when not submitted or purged
   */
  public record VmProgress(ProjectVm vm, VmState state, Operation create, Phase phase) {}

  /** How many VMs are in each phase (every phase present, 0 for none). */
  public Map<Phase, Integer> counts() {
    Map<Phase, Integer> counts = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      counts.put(p, 0);
    }
    vms.forEach(v -> counts.merge(v.phase(), 1, Integer::sum));
    return counts;
  }
}
