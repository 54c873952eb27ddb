package dev.virtsaga.worker.core.service;

import dev.virtsaga.events.model.ErrorType;
import dev.virtsaga.events.model.TaskError;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.worker.core.mapping.TaskMapping;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns whatever a task failed with into the wire error: a {@link ProviderException} keeps its type
 * and retry hint, a timeout is {@link ErrorType#TIMEOUT}, anything else is {@link
 * ErrorType#RETRYABLE} with its message.
 */
public final class ErrorClassifier {
  private ErrorClassifier() {}

  public static TaskError classify(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ProviderException p) {
      ErrorType type = TaskMapping.toWire(p.type());
      Long retryAfterMs = p.retryAfter().map(d -> d.toMillis()).orElse(null);
      return new TaskError(type, message(p), type.isRetryable(), retryAfterMs);
    }
    if (t instanceof java.util.concurrent.TimeoutException
        || t instanceof io.smallrye.mutiny.TimeoutException) {
      return TaskError.of(ErrorType.TIMEOUT, message(t));
    }
    return TaskError.of(ErrorType.RETRYABLE, t.getClass().getSimpleName() + ": " + message(t));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }
}
