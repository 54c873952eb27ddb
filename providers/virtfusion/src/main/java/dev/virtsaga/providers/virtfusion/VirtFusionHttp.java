package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * The HTTP edge of the adapter: every VirtFusion request goes through here, on the Vert.x web
 * client (non-blocking), through the shared {@link TokenBucket}, with retries and typed errors.
 *
 * <ul>
 *   <li>Retried: 429 and 5xx answers, timeouts and dropped connections, with exponential backoff
 *       and jitter, never sooner than {@code Retry-After}. A request that is not safe to repeat
 *       ({@link Safety#ONCE}: allocating a server, queueing a build, registering a key) is retried
 *       only when the server surely did not act on it: 429, 503, or a connection never made.
 *   <li>Errors once retries are spent, or at once: 401/403 → UNAUTHORIZED, 404 → NOT_FOUND, 409 →
 *       CONFLICT, 422 (and other 4xx) → INVALID_SPEC with the {@code errors} text, 429 →
 *       RATE_LIMIT, 502/503/504 → UNAVAILABLE, other 5xx → RETRYABLE, timeouts → TIMEOUT, dropped
 *       or refused connections → UNAVAILABLE.
 *   <li>The token is sent in the {@code Authorization} header only; messages and logs name the
 *       method and path.
 * </ul>
 */
final class VirtFusionHttp implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VirtFusionHttp.class);

  /** Whether a request may be sent again after an answer that leaves its effect unknown. */
  enum Safety {
    /** Reads, PUTs, DELETEs and POSTs whose repetition changes nothing (power, suspend). */
    REPEATABLE,
    /** POSTs that create something: retried only when the server surely did not act. */
    ONCE
  }

  /**
   * An answer.
   *
   * @param status the HTTP status (2xx)
   * @param body the JSON body, or an empty object for 204 / an empty body
   */
  record Reply(int status, JsonObject body) {
    /** The {@code data} member of the body (VirtFusion wraps payloads in it), else the body. */
    JsonObject data() {
      Object d = body.getValue("data");
      return d instanceof JsonObject o ? o : body;
    }
  }

  private final WebClient client;
  private final String baseUrl;
  private final String authorization;
  private final TokenBucket bucket;
  private final VirtFusionSettings.Retry retry;
  private final long requestTimeoutMillis;
  private final Clock clock;

  VirtFusionHttp(Vertx vertx, VirtFusionSettings settings, TokenBucket bucket) {
    Duration timeout = settings.timeouts().httpRequest();
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setUserAgent("virtsaga-provider-virtfusion")
                .setFollowRedirects(false)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setKeepAlive(true)
                .setMaxPoolSize(16));
    this.baseUrl = settings.baseUrl();
    this.authorization = "Bearer " + settings.token();
    this.bucket = bucket;
    this.retry = settings.retry();
    this.requestTimeoutMillis = timeout.toMillis();
    this.clock = Clock.systemUTC();
  }

  Uni<Reply> get(String path) {
    return send(HttpMethod.GET, path, null, Safety.REPEATABLE);
  }

  Uni<Reply> post(String path, JsonObject body, Safety safety) {
    return send(HttpMethod.POST, path, body, safety);
  }

  Uni<Reply> put(String path, JsonObject body) {
    return send(HttpMethod.PUT, path, body, Safety.REPEATABLE);
  }

  Uni<Reply> delete(String path) {
    return send(HttpMethod.DELETE, path, null, Safety.REPEATABLE);
  }

  /** One request, retried as the class comment says; fails only with ProviderException. */
  Uni<Reply> send(HttpMethod method, String path, JsonObject body, Safety safety) {
    String what = method + " " + withoutQuery(path);
    return attempt(method, path, body, safety, what, 1);
  }

  private Uni<Reply> attempt(
      HttpMethod method, String path, JsonObject body, Safety safety, String what, int attempt) {
    return bucket
        .acquire()
        .chain(() -> exchange(method, path, body))
        .onItemOrFailure()
        .transformToUni(
            (response, failure) -> {
              if (failure != null) {
                return onFailure(method, path, body, safety, what, attempt, failure);
              }
              return onResponse(method, path, body, safety, what, attempt, response);
            });
  }

  private Uni<HttpResponse<Buffer>> exchange(HttpMethod method, String path, JsonObject body) {
    HttpRequest<Buffer> request =
        client
            .requestAbs(method, baseUrl + path)
            .putHeader("Authorization", authorization)
            .putHeader("Accept", "application/json")
            .timeout(requestTimeoutMillis);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  private Uni<Reply> onResponse(
      HttpMethod method,
      String path,
      JsonObject body,
      Safety safety,
      String what,
      int attempt,
      HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String text = response.bodyAsString();
    if (status >= 200 && status < 300) {
      LOG.debugf("%s → %d (attempt %d)", what, status, attempt);
      return Uni.createFrom().item(new Reply(status, parse(text)));
    }
    Duration retryAfter = VirtFusionErrors.retryAfter(response.getHeader("Retry-After"), clock);
    ProviderException error = VirtFusionErrors.ofStatus(what, status, text, retryAfter);
    boolean again =
        switch (safety) {
          case REPEATABLE -> status == 429 || status >= 500;
          case ONCE -> status == 429 || status == 503;
        };
    if (!again) {
      boolean uncertain =
          safety == Safety.ONCE && (status == 500 || status == 502 || status == 504);
      return Uni.createFrom().failure(uncertain ? new UncertainOutcomeException(error) : error);
    }
    return retryOrFail(method, path, body, safety, what, attempt, error, retryAfter);
  }

  private Uni<Reply> onFailure(
      HttpMethod method,
      String path,
      JsonObject body,
      Safety safety,
      String what,
      int attempt,
      Throwable failure) {
    ProviderException error = VirtFusionErrors.ofFailure(what, failure);
    boolean again =
        switch (safety) {
          case REPEATABLE -> VirtFusionErrors.isTransient(failure);
          case ONCE -> VirtFusionErrors.neverSent(failure);
        };
    if (failure instanceof ProviderException) {
      return Uni.createFrom().failure(error);
    }
    if (!again) {
      // a ONCE request that may have reached the server: only looking tells
      return Uni.createFrom()
          .failure(safety == Safety.ONCE ? new UncertainOutcomeException(error) : error);
    }
    return retryOrFail(method, path, body, safety, what, attempt, error, null);
  }

  private Uni<Reply> retryOrFail(
      HttpMethod method,
      String path,
      JsonObject body,
      Safety safety,
      String what,
      int attempt,
      ProviderException error,
      Duration retryAfter) {
    if (attempt >= retry.maxAttempts()) {
      LOG.debugf("%s: giving up after %d attempts: %s", what, attempt, error.getMessage());
      return Uni.createFrom().failure(error);
    }
    if (retryAfter != null && retryAfter.compareTo(retry.maxBackoff()) > 0) {
      LOG.debugf("%s: Retry-After %s is beyond the retry budget", what, retryAfter);
      return Uni.createFrom().failure(error);
    }
    Duration wait = backoff(attempt, retryAfter);
    LOG.debugf(
        "%s: %s, attempt %d of %d again in %d ms",
        what, error.type(), attempt + 1, retry.maxAttempts(), wait.toMillis());
    Uni<Void> pause =
        wait.isZero()
            ? Uni.createFrom().voidItem()
            : Uni.createFrom().voidItem().onItem().delayIt().by(wait);
    return pause.chain(() -> attempt(method, path, body, safety, what, attempt + 1));
  }

  /**
   * The wait before attempt {@code attempt + 1}: half to all of {@code initial × 2^(attempt-1)}
   * (capped at the maximum), and never less than the server's {@code Retry-After}.
   */
  Duration backoff(int attempt, Duration retryAfter) {
    long initial = retry.initialBackoff().toMillis();
    long max = retry.maxBackoff().toMillis();
    long exp = initial << Math.min(attempt - 1, 20);
    long ceiling = Math.min(max, exp < 0 ? max : exp);
    long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
    return Duration.ofMillis(wait);
  }

  private static JsonObject parse(String text) {
    if (text == null || text.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      throw new ProviderException(
          ErrorType.RETRYABLE,
          "VirtFusion answered with something that is not a JSON object: "
              + VirtFusionErrors.detail(text));
    }
  }

  private static String withoutQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  @Override
  public void close() {
    client.close();
  }
}
