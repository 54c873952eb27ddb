package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * The state of an asynchronous provider task.
 *
 * @param taskRef the task, as returned by the operation that started it
 * @param phase where it is
 * @param progress percent done (0–100) when the provider says, else {@code null}
 * @param error why it failed ({@link Phase#FAILED} only), else {@code null}
 */
public record TaskState(String taskRef, Phase phase, Integer progress, ProviderException error) {

  /** Where an asynchronous task is. */
  public enum Phase {
    RUNNING,
    SUCCEEDED,
    FAILED
  }

  public TaskState {
    Objects.requireNonNull(taskRef, "taskRef");
    Objects.requireNonNull(phase, "phase");
    if ((phase == Phase.FAILED) != (error != null)) {
      throw new IllegalArgumentException("an error is required exactly when the task FAILED");
    }
    if (progress != null && (progress < 0 || progress > 100)) {
      throw new IllegalArgumentException("progress must be 0..100, was " + progress);
    }
  }

  public static TaskState succeeded(String taskRef) {
    return new TaskState(taskRef, Phase.SUCCEEDED, 100, null);
  }

  public static TaskState running(String taskRef, Integer progress) {
    return new TaskState(taskRef, Phase.RUNNING, progress, null);
  }

  public static TaskState failed(String taskRef, ProviderException error) {
    return new TaskState(taskRef, Phase.FAILED, null, error);
  }

  public boolean isComplete() {
    return phase != Phase.RUNNING;
  }
}
