package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Failures of the Kubernetes API → {@link ProviderException}.
 *
 * <table>
 *   <caption>HTTP status → ErrorType</caption>
 *   <tr><th>answer</th><th>type</th></tr>
 *   <tr><td>401, 403</td><td>UNAUTHORIZED</td></tr>
 *   <tr><td>404</td><td>NOT_FOUND</td></tr>
 *   <tr><td>409 (AlreadyExists, Conflict)</td><td>CONFLICT</td></tr>
 *   <tr><td>400, 422 (Invalid, BadRequest; an admission webhook's denial)</td>
 *       <td>INVALID_SPEC, with the causes</td></tr>
 *   <tr><td>403 with reason Forbidden and "exceeded quota"</td><td>QUOTA_EXCEEDED</td></tr>
 *   <tr><td>429</td><td>RATE_LIMIT</td></tr>
 *   <tr><td>410</td><td>RETRYABLE (a watch handles it as GONE itself)</td></tr>
 *   <tr><td>500, 502, 503, 504, connection refused, unknown host</td><td>UNAVAILABLE</td></tr>
 *   <tr><td>a timeout</td><td>TIMEOUT</td></tr>
 *   <tr><td>anything else</td><td>RETRYABLE</td></tr>
 * </table>
 */
final class KubeVirtErrors {
  private KubeVirtErrors() {}

  static ProviderException of(String what, Throwable t) {
    Throwable f = unwrap(t);
    if (f instanceof ProviderException pe) {
      return pe;
    }
    if (f instanceof KubernetesClientTimeoutException) {
      return new ProviderException(ErrorType.TIMEOUT, what + " timed out: " + f.getMessage(), f);
    }
    if (f instanceof KubernetesClientException k && k.getCode() > 0) {
      return new ProviderException(
          typeOf(k.getCode(), k.getStatus()), what + " failed: " + describe(k), f);
    }
    for (Throwable c = f; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TimeoutException || c instanceof SocketTimeoutException) {
        return new ProviderException(ErrorType.TIMEOUT, what + " timed out: " + c.getMessage(), f);
      }
      if (c instanceof ConnectException || c instanceof UnknownHostException) {
        return new ProviderException(
            ErrorType.UNAVAILABLE,
            what + ": the Kubernetes API cannot be reached: " + c.getMessage(),
            f);
      }
      if (c instanceof IOException) {
        return new ProviderException(
            ErrorType.UNAVAILABLE, what + ": the connection failed: " + c.getMessage(), f);
      }
    }
    return new ProviderException(
        ErrorType.RETRYABLE, what + " failed: " + f.getClass().getSimpleName() + " " + f, f);
  }

  static ErrorType typeOf(int code, Status status) {
    String message = status == null || status.getMessage() == null ? "" : status.getMessage();
    return switch (code) {
      case 401 -> ErrorType.UNAUTHORIZED;
      case 403 ->
          message.contains("exceeded quota") ? ErrorType.QUOTA_EXCEEDED : ErrorType.UNAUTHORIZED;
      case 404 -> ErrorType.NOT_FOUND;
      case 409 -> ErrorType.CONFLICT;
      case 400, 422 -> ErrorType.INVALID_SPEC;
      case 429 -> ErrorType.RATE_LIMIT;
      case 500, 502, 503, 504 -> ErrorType.UNAVAILABLE;
      default -> ErrorType.RETRYABLE;
    };
  }

  /** The API's message and its causes ({@code field: message}), as a user should read them. */
  static String describe(KubernetesClientException k) {
    Status s = k.getStatus();
    if (s == null) {
      return "HTTP " + k.getCode() + " " + k.getMessage();
    }
    StringBuilder out =
        new StringBuilder("HTTP ")
            .append(k.getCode())
            .append(s.getReason() == null ? "" : " " + s.getReason())
            .append(": ")
            .append(s.getMessage() == null ? k.getMessage() : s.getMessage());
    List<StatusCause> causes = s.getDetails() == null ? null : s.getDetails().getCauses();
    if (causes != null && !causes.isEmpty()) {
      out.append(" (");
      for (int i = 0; i < causes.size(); i++) {
        StatusCause c = causes.get(i);
        out.append(i == 0 ? "" : "; ")
            .append(c.getField() == null ? "" : c.getField() + ": ")
            .append(c.getMessage());
      }
      out.append(')');
    }
    return out.toString();
  }

  private static Throwable unwrap(Throwable t) {
    Throwable f = t;
    while ((f instanceof CompletionException || f instanceof ExecutionException)
        && f.getCause() != null) {
      f = f.getCause();
    }
    return f;
  }
}
