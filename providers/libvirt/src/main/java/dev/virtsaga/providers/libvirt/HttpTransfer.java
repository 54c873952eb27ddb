package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Disk images over {@code http(s)}: download (GET, streamed to a file) and upload (PUT of a file),
 * with the JDK {@link HttpClient}. Blocking: called on the adapter's executor only. The caller
 * checks every URL against the {@link dev.virtsaga.providers.spi.UrlPolicy} first; redirects are
 * never followed (a redirect could lead to a host the policy did not check).
 *
 * <p>Failures are {@link ProviderException}s: see {@link #statusError} for HTTP statuses; a
 * connection that cannot be made or breaks is {@link ErrorType#UNAVAILABLE}; no response within the
 * response timeout, or a transfer longer than the transfer timeout, is {@link ErrorType#TIMEOUT}.
 */
final class HttpTransfer {
  /** The header carrying the SHA-256 (lower-case hex) of an uploaded image. */
  static final String CHECKSUM_HEADER = "X-Checksum-SHA256";

  private final HttpClient client;
  private final Duration responseTimeout;
  private final Duration transferTimeout;

  /**
   * @param connectTimeout for opening the connection
   * @param responseTimeout from sending a download's request to the response's headers
   * @param transferTimeout for the whole exchange, body included
   */
  HttpTransfer(Duration connectTimeout, Duration responseTimeout, Duration transferTimeout) {
    this.client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    this.responseTimeout = responseTimeout;
    this.transferTimeout = transferTimeout;
  }

  /** 10 s to connect, 60 s to the response headers, 30 min for a whole transfer. */
  static HttpTransfer defaults() {
    return new HttpTransfer(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(30));
  }

  /**
   * GETs {@code source} into {@code file} (replacing its content), streaming: the body is never
   * held in memory. The body of a non-2xx answer is discarded, the file then left untouched.
   */
  void download(URI source, Path file) {
    HttpRequest request = HttpRequest.newBuilder(source).timeout(responseTimeout).GET().build();
    BodyHandler<Path> toFile =
        info ->
            isSuccess(info.statusCode())
                ? BodySubscribers.ofFile(
                    file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                : BodySubscribers.<Path>replacing(null);
    HttpResponse<Path> response = exchange("GET", source, request, toFile);
    if (!isSuccess(response.statusCode())) {
      throw statusError("GET", source, response.statusCode(), response.headers());
    }
  }

  /**
   * PUTs {@code file} to {@code target} as {@code application/octet-stream} with its SHA-256 in
   * {@link #CHECKSUM_HEADER}, streaming from the file.
   */
  void upload(Path file, URI target, String sha256) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(target)
              // the response comes after the whole body: the response timeout would cut it off
              .timeout(transferTimeout)
              .header("Content-Type", "application/octet-stream")
              .header(CHECKSUM_HEADER, sha256)
              .PUT(HttpRequest.BodyPublishers.ofFile(file))
              .build();
    } catch (IOException e) {
      throw new ProviderException(ErrorType.RETRYABLE, "cannot read " + file + ": " + e, e);
    }
    HttpResponse<Void> response =
        exchange("PUT", target, request, HttpResponse.BodyHandlers.discarding());
    if (!isSuccess(response.statusCode())) {
      throw statusError("PUT", target, response.statusCode(), response.headers());
    }
  }

  private <T> HttpResponse<T> exchange(
      String method, URI uri, HttpRequest request, BodyHandler<T> handler) {
    String what = method + " " + redacted(uri);
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(request, handler);
    try {
      return future.get(transferTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new ProviderException(
          ErrorType.TIMEOUT, what + " did not finish within " + transferTimeout, e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ProviderException(ErrorType.RETRYABLE, what + " was interrupted", e);
    } catch (ExecutionException e) {
      throw failure(what, e.getCause() == null ? e : e.getCause());
    }
  }

  private static ProviderException failure(String what, Throwable cause) {
    if (cause instanceof HttpConnectTimeoutException || cause instanceof ConnectException) {
      return ProviderException.unavailable(what + ": cannot connect: " + cause, cause);
    }
    if (cause instanceof HttpTimeoutException) {
      return new ProviderException(ErrorType.TIMEOUT, what + ": no response in time", cause);
    }
    if (cause instanceof IOException) {
      return ProviderException.unavailable(what + ": " + cause, cause);
    }
    return new ProviderException(ErrorType.RETRYABLE, what + ": " + cause, cause);
  }

  private static boolean isSuccess(int status) {
    return status >= 200 && status < 300;
  }

  /**
   * A non-2xx answer as a typed failure: 429 → RATE_LIMIT and 503 → UNAVAILABLE (both with the
   * server's {@code Retry-After}), 502/504 → UNAVAILABLE, 408 → TIMEOUT, other 5xx → RETRYABLE;
   * 401/403 → UNAUTHORIZED, 404/410 of a GET → NOT_FOUND (like a missing file), every other answer
   * (other 4xx, redirects, which are never followed, 1xx) → INVALID_SPEC.
   */
  static ProviderException statusError(String method, URI uri, int status, HttpHeaders headers) {
    String what = method + " " + redacted(uri) + " answered " + status;
    Duration retryAfter = retryAfter(headers).orElse(null);
    return switch (status) {
      case 429 -> new ProviderException(ErrorType.RATE_LIMIT, what, null, retryAfter);
      case 503 -> new ProviderException(ErrorType.UNAVAILABLE, what, null, retryAfter);
      case 502, 504 -> new ProviderException(ErrorType.UNAVAILABLE, what);
      case 408 -> new ProviderException(ErrorType.TIMEOUT, what);
      case 401, 403 -> new ProviderException(ErrorType.UNAUTHORIZED, what);
      case 404, 410 ->
          "GET".equals(method)
              ? ProviderException.notFound(what)
              : ProviderException.invalidSpec(what);
      default -> {
        if (status >= 500) {
          yield new ProviderException(ErrorType.RETRYABLE, what);
        }
        if (status >= 300 && status < 400) {
          yield ProviderException.invalidSpec(
              what + ": redirects are not followed, give the final URL");
        }
        yield ProviderException.invalidSpec(what);
      }
    };
  }

  /** {@code Retry-After} in seconds or as an HTTP date; absent or unreadable: empty. */
  static Optional<Duration> retryAfter(HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Retry-After").map(String::strip);
    if (value.isEmpty() || value.get().isEmpty()) {
      return Optional.empty();
    }
    String v = value.get();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException e2) {
        return Optional.empty();
      }
    }
  }

  /** The URL without its query and fragment (which may hold a signature), for messages and logs. */
  static String redacted(URI uri) {
    return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
  }

  /** Whether a URL is one this class transfers ({@code http:} or {@code https:}). */
  static boolean handles(URI uri) {
    String scheme = uri.getScheme();
    return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
  }
}
