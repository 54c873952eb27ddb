package dev.virtsaga.orchestrator;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;
import java.util.Objects;

/**
 * The single operation in flight on a VM: which saga, which step, which attempt, and by when the
 * step must finish.
 *
 * @param origin the stable state the VM was in when the operation began (where a clean failure
 *     returns it)
 * @param compensating whether the saga is undoing its work after a failure
 * @param retryAt when a retryable failure is retried; null while a task is outstanding
 * @param cause the failure that started the compensation, reported once it has finished
 * @param gracefulTimeoutSeconds stop: the graceful shutdown budget before forcing power off
 * @param target reconfigure: the spec the VM gets when the operation succeeds
 * @param subject snapshot operations: the snapshot's id
 * @param args clone and disk export: what to make and where (kept while the operation runs, so a
 *     compensation or a delete that pre-empts it knows what to undo)
 */
public record Operation(
    String id,
    CommandType type,
    String step,
    int attempt,
    Instant deadline,
    Instant startedAt,
    VmState origin,
    boolean compensating,
    Instant retryAt,
    TaskError cause,
    Integer gracefulTimeoutSeconds,
    VmSpec target,
    String subject,
    OperationArgs args) {

  /** An operation without clone or export arguments. */
  public Operation(
      String id,
      CommandType type,
      String step,
      int attempt,
      Instant deadline,
      Instant startedAt,
      VmState origin,
      boolean compensating,
      Instant retryAt,
      TaskError cause,
      Integer gracefulTimeoutSeconds,
      VmSpec target,
      String subject) {
    this(
        id,
        type,
        step,
        attempt,
        deadline,
        startedAt,
        origin,
        compensating,
        retryAt,
        cause,
        gracefulTimeoutSeconds,
        target,
        subject,
        null);
  }

  public Operation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(deadline, "an operation always has a deadline");
  }

  /** The key a worker uses to do a step once: {@code operationId:step}. */
  public String idempotencyKey() {
    return id + ":" + step;
  }

  /** The id of the task of the current step and attempt (deterministic, so a replay is a no-op). */
  public String taskId() {
    return id + ":" + step + ":" + attempt;
  }

  public Operation atStep(String newStep, Instant newDeadline) {
    return new Operation(
        id,
        type,
        newStep,
        1,
        newDeadline,
        startedAt,
        origin,
        compensating,
        null,
        cause,
        gracefulTimeoutSeconds,
        target,
        subject,
        args);
  }

  public Operation compensate(String newStep, Instant newDeadline, TaskError why) {
    return new Operation(
        id,
        type,
        newStep,
        1,
        newDeadline,
        startedAt,
        origin,
        true,
        null,
        why,
        gracefulTimeoutSeconds,
        target,
        subject,
        args);
  }

  /** The same operation, now also undoing (or skipping) with {@code why} as its outcome. */
  public Operation withCause(TaskError why) {
    return new Operation(
        id,
        type,
        step,
        attempt,
        deadline,
        startedAt,
        origin,
        compensating,
        retryAt,
        why,
        gracefulTimeoutSeconds,
        target,
        subject,
        args);
  }

  public Operation retryAt(Instant when) {
    return new Operation(
        id,
        type,
        step,
        attempt,
        deadline,
        startedAt,
        origin,
        compensating,
        when,
        cause,
        gracefulTimeoutSeconds,
        target,
        subject,
        args);
  }

  public Operation nextAttempt() {
    return new Operation(
        id,
        type,
        step,
        attempt + 1,
        deadline,
        startedAt,
        origin,
        compensating,
        null,
        cause,
        gracefulTimeoutSeconds,
        target,
        subject,
        args);
  }
}
