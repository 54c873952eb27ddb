package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;

/**
 * Why a task failed.
 *
 * @param retryAfterMs the provider's hint for when to try again, when it gave one
 */
public record TaskError(ErrorType type, String message, boolean retryable, @Opt Long retryAfterMs) {
  public static TaskError of(ErrorType type, String message) {
    return new TaskError(type, message, type.isRetryable(), null);
  }
}
