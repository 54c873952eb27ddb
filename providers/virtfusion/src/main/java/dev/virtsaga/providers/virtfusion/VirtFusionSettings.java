package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.spi.RateLimit;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the adapter reaches one VirtFusion control server, and how.
 *
 * @param baseUrl the API root, {@code https://<control server>/api/v1} (no trailing slash needed)
 * @param token the API token, sent as {@code Authorization: Bearer}; never logged nor shown by
 *     {@link #toString()}
 * @param defaults placement and build defaults used when a request's labels do not say
 * @param rateLimit requests per second (and burst) this adapter instance may send, all calls
 *     together
 * @param timeouts per request ({@code httpRequest}), for an action to finish ({@code
 *     actionComplete}: power, delete), for a build ({@code instanceReady}) and between polls
 * @param retry how often and how long throttled or failed requests are retried
 * @param watch how often the {@link VirtFusionWatcher} polls
 * @param cacheTtl how long resolved users, SSH keys, templates, groups and packages are kept
 */
public record VirtFusionSettings(
    String baseUrl,
    String token,
    Defaults defaults,
    RateLimit rateLimit,
    ProviderTimeouts timeouts,
    Retry retry,
    Watch watch,
    Duration cacheTtl) {

  /** 5 requests/s with a burst of 10 when nothing is configured. */
  public static final RateLimit DEFAULT_RATE_LIMIT = new RateLimit(5, 10);

  public VirtFusionSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(defaults, "defaults");
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(timeouts, "timeouts");
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(watch, "watch");
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    URI uri = URI.create(baseUrl);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("the VirtFusion base URL must be http(s): " + baseUrl);
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException("the VirtFusion base URL must not carry credentials");
    }
    if (token.isBlank()) {
      throw new IllegalArgumentException("the VirtFusion API token is empty");
    }
    if (cacheTtl.isNegative() || cacheTtl.isZero()) {
      throw new IllegalArgumentException("cacheTtl must be positive, was " + cacheTtl);
    }
  }

  /** Settings with every default but the endpoint, its token and the placement defaults. */
  public static VirtFusionSettings of(String baseUrl, String token, Defaults defaults) {
    return new VirtFusionSettings(
        baseUrl,
        token,
        defaults,
        DEFAULT_RATE_LIMIT,
        ProviderTimeouts.defaults(),
        Retry.defaults(),
        Watch.defaults(),
        Duration.ofMinutes(10));
  }

  public VirtFusionSettings withRateLimit(RateLimit rateLimit) {
    return new VirtFusionSettings(
        baseUrl, token, defaults, rateLimit, timeouts, retry, watch, cacheTtl);
  }

  public VirtFusionSettings withTimeouts(ProviderTimeouts timeouts) {
    return new VirtFusionSettings(
        baseUrl, token, defaults, rateLimit, timeouts, retry, watch, cacheTtl);
  }

  public VirtFusionSettings withRetry(Retry retry) {
    return new VirtFusionSettings(
        baseUrl, token, defaults, rateLimit, timeouts, retry, watch, cacheTtl);
  }

  public VirtFusionSettings withWatch(Watch watch) {
    return new VirtFusionSettings(
        baseUrl, token, defaults, rateLimit, timeouts, retry, watch, cacheTtl);
  }

  public VirtFusionSettings withCacheTtl(Duration cacheTtl) {
    return new VirtFusionSettings(
        baseUrl, token, defaults, rateLimit, timeouts, retry, watch, cacheTtl);
  }

  @Override
  public String toString() {
    return "VirtFusionSettings[baseUrl="
        + baseUrl
        + ", token=<redacted>, defaults="
        + defaults
        + ", rateLimit="
        + rateLimit
        + ", timeouts="
        + timeouts
        + ", retry="
        + retry
        + ", watch="
        + watch
        + ", cacheTtl="
        + cacheTtl
        + "]";
  }

  /**
   * What a create uses when its labels do not say (see the module README for the labels).
   *
   * @param tenant the external relation id of the VirtFusion user that owns servers of requests
   *     without a {@code virtsaga.dev/tenant} label, or {@code null} (such requests are then
   *     INVALID_SPEC)
   * @param packageId the server package, or {@code null}
   * @param hypervisorGroup the hypervisor group, by id or name, or {@code null}
   * @param template the OS template (name or id) of requests without an image, or {@code null}
   */
  public record Defaults(String tenant, Long packageId, String hypervisorGroup, String template) {
    public static Defaults none() {
      return new Defaults(null, null, null, null);
    }
  }

  /**
   * Retries of one request: 429, 5xx, timeouts and dropped connections, with exponential backoff
   * and jitter, never sooner than the server's {@code Retry-After}.
   *
   * @param maxAttempts attempts in all (1 = no retry)
   * @param initialBackoff the wait before the first retry (then doubled per attempt)
   * @param maxBackoff the longest wait; a {@code Retry-After} beyond it is not waited for but
   *     reported (RATE_LIMIT / UNAVAILABLE with that hint)
   */
  public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    public Retry {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      Objects.requireNonNull(initialBackoff, "initialBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "backoff must be 0 <= initial <= max, was " + initialBackoff + ", " + maxBackoff);
      }
    }

    /** 6 attempts, 200 ms doubling up to 10 s. */
    public static Retry defaults() {
      return new Retry(6, Duration.ofMillis(200), Duration.ofSeconds(10));
    }
  }

  /**
   * Polling of the {@link VirtFusionWatcher}.
   *
   * @param fastInterval between polls of servers in transition (being built, power changing)
   * @param slowInterval between full listings (new, changed and deleted servers)
   */
  public record Watch(Duration fastInterval, Duration slowInterval) {
    public Watch {
      Objects.requireNonNull(fastInterval, "fastInterval");
      Objects.requireNonNull(slowInterval, "slowInterval");
      if (fastInterval.isNegative()
          || fastInterval.isZero()
          || slowInterval.compareTo(fastInterval) < 0) {
        throw new IllegalArgumentException(
            "poll intervals must be 0 < fast <= slow, were " + fastInterval + ", " + slowInterval);
      }
    }

    /** 2 s for servers in transition, 30 s for the rest. */
    public static Watch defaults() {
      return new Watch(Duration.ofSeconds(2), Duration.ofSeconds(30));
    }
  }
}
