package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** VirtFusion answers and transport failures as typed {@link ProviderException}s. */
final class VirtFusionErrors {
  private static final int MAX_DETAIL = 300;

  private VirtFusionErrors() {}

  /**
   * The error of a non-2xx answer.
   *
   * @param what the request, e.g. {@code POST /servers} (never with credentials)
   * @param retryAfter the answer's {@code Retry-After}, or {@code null}
   */
  static ProviderException ofStatus(String what, int status, String body, Duration retryAfter) {
    String detail = detail(body);
    String message = what + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
    ErrorType type =
        switch (status) {
          case 401, 403 -> ErrorType.UNAUTHORIZED;
          case 404, 410 -> ErrorType.NOT_FOUND;
          case 409, 423 -> ErrorType.CONFLICT;
          case 408 -> ErrorType.TIMEOUT;
          case 429 -> ErrorType.RATE_LIMIT;
          case 502, 503, 504 -> ErrorType.UNAVAILABLE;
          default -> status >= 500 ? ErrorType.RETRYABLE : ErrorType.INVALID_SPEC;
        };
    return new ProviderException(type, message, null, retryAfter);
  }

  /** The error of a request that got no answer. */
  static ProviderException ofFailure(String what, Throwable t) {
    if (t instanceof ProviderException pe) {
      return pe;
    }
    if (isTimeout(t)) {
      return new ProviderException(ErrorType.TIMEOUT, what + " timed out: " + t.getMessage(), t);
    }
    if (t instanceof SSLException) {
      return new ProviderException(
          ErrorType.UNAVAILABLE, what + " failed its TLS handshake: " + t.getMessage(), t);
    }
    return new ProviderException(
        ErrorType.UNAVAILABLE, what + " failed: " + t.getClass().getSimpleName() + " " + t, t);
  }

  /** Whether the request surely never reached the server (nothing to fear from a retry). */
  static boolean neverSent(Throwable t) {
    return t instanceof ConnectException
        || t instanceof UnknownHostException
        || (t.getCause() instanceof ConnectException);
  }

  /** A transport failure worth another attempt (timeouts, resets, closed connections). */
  static boolean isTransient(Throwable t) {
    return isTimeout(t)
        || t instanceof IOException
        || t instanceof HttpClosedException
        || t instanceof VertxException
        || t.getCause() instanceof IOException;
  }

  static boolean isTimeout(Throwable t) {
    if (t instanceof TimeoutException
        || t instanceof io.netty.channel.ConnectTimeoutException
        || t instanceof java.net.SocketTimeoutException) {
      return true;
    }
    String m = t.getMessage();
    return t instanceof VertxException
        && m != null
        && m.toLowerCase(Locale.ROOT).contains("timeout");
  }

  /**
   * The {@code Retry-After} header: delta-seconds or an HTTP date; {@code null} when absent or
   * unreadable.
   */
  static Duration retryAfter(String header, java.time.Clock clock) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String h = header.strip();
    try {
      long seconds = Long.parseLong(h);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      // an HTTP date, then
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * What an error body says: the {@code errors} of a 422 (an array of strings, or an object of
   * field → messages), else its {@code msg} / {@code message}, else the text itself, shortened.
   */
  static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String text = body.strip();
    if (text.startsWith("{")) {
      try {
        JsonObject json = new JsonObject(text);
        List<String> parts = new ArrayList<>();
        Object errors = json.getValue("errors");
        if (errors instanceof JsonArray a) {
          a.forEach(e -> parts.add(String.valueOf(e)));
        } else if (errors instanceof JsonObject o) {
          o.forEach(
              e -> {
                if (e.getValue() instanceof JsonArray a) {
                  a.forEach(m -> parts.add(e.getKey() + ": " + m));
                } else {
                  parts.add(e.getKey() + ": " + e.getValue());
                }
              });
        } else if (errors != null) {
          parts.add(String.valueOf(errors));
        }
        for (String key : List.of("message", "msg", "error")) {
          Object v = json.getValue(key);
          if (v != null && parts.isEmpty()) {
            parts.add(String.valueOf(v));
          }
        }
        if (!parts.isEmpty()) {
          return shorten(String.join("; ", parts));
        }
      } catch (RuntimeException e) {
        // not JSON after all: the text
      }
    }
    return shorten(text);
  }

  private static String shorten(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= MAX_DETAIL ? one : one.substring(0, MAX_DETAIL) + "…";
  }
}
