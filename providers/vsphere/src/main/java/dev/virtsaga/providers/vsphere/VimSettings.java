package dev.virtsaga.providers.vsphere;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link VimClient} reaches one vCenter (or ESXi host).
 *
 * @param sdkUrl the SOAP endpoint, {@code https://<host>/sdk} ({@code http} only for test stubs)
 * @param username the SSO user
 * @param password its password (never logged, never in messages)
 * @param requestTimeout the longest one SOAP call may take; longer → {@code TIMEOUT}
 * @param keepAliveInterval how often a connected client calls {@code CurrentTime} so the session is
 *     not dropped as idle; zero for never
 * @param tls how the server's certificate is checked
 * @param apiVersion sent as {@code SOAPAction: urn:vim25/<version>}
 */
public record VimSettings(
    URI sdkUrl,
    String username,
    String password,
    Duration requestTimeout,
    Duration keepAliveInterval,
    Tls tls,
    String apiVersion) {

  /** Default {@link #requestTimeout()}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@link #keepAliveInterval()}: well inside vCenter's 30-minute idle timeout. */
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(10);

  /** Default {@link #apiVersion()}. */
  public static final String DEFAULT_API_VERSION = "7.0";

  /**
   * How the server's certificate is checked.
   *
   * @param insecure trust any certificate and skip the host name check — refused unless the host is
   *     loopback ({@code 127.0.0.0/8}, {@code ::1}, {@code localhost}), i.e. only for vcsim
   * @param trustedCertificatePem PEM certificate(s) to trust instead of the JDK's (pinning), e.g. a
   *     vCenter's self-signed one; {@code null} for none
   */
  public record Tls(boolean insecure, String trustedCertificatePem) {
    /** The JDK's trust store and host name verification. */
    public static Tls verified() {
      return new Tls(false, null);
    }

    /** Any certificate — loopback only. */
    public static Tls insecureLoopback() {
      return new Tls(true, null);
    }

    /** Only these PEM certificates (not the JDK's trust store), host names verified. */
    public static Tls trusting(String pem) {
      return new Tls(false, Objects.requireNonNull(pem, "pem"));
    }
  }

  public VimSettings {
    Objects.requireNonNull(sdkUrl, "sdkUrl");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(apiVersion, "apiVersion");
    String scheme = sdkUrl.getScheme() == null ? "" : sdkUrl.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("sdkUrl must be http(s): " + sdkUrl);
    }
    if (sdkUrl.getHost() == null) {
      throw new IllegalArgumentException("sdkUrl has no host: " + sdkUrl);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive: " + requestTimeout);
    }
    if (keepAliveInterval.isNegative()) {
      throw new IllegalArgumentException("keepAliveInterval must not be negative");
    }
    if (tls.insecure() && !isLoopback(sdkUrl.getHost())) {
      throw new IllegalArgumentException(
          "insecure TLS is for a loopback simulator only, not for " + sdkUrl.getHost());
    }
  }

  /** Verified TLS, the default timeout, keep-alive and API version. */
  public static VimSettings of(URI sdkUrl, String username, String password) {
    return new VimSettings(
        sdkUrl,
        username,
        password,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_KEEP_ALIVE,
        Tls.verified(),
        DEFAULT_API_VERSION);
  }

  public VimSettings withRequestTimeout(Duration timeout) {
    return new VimSettings(sdkUrl, username, password, timeout, keepAliveInterval, tls, apiVersion);
  }

  public VimSettings withKeepAliveInterval(Duration interval) {
    return new VimSettings(sdkUrl, username, password, requestTimeout, interval, tls, apiVersion);
  }

  public VimSettings withTls(Tls newTls) {
    return new VimSettings(
        sdkUrl, username, password, requestTimeout, keepAliveInterval, newTls, apiVersion);
  }

  public VimSettings withPassword(String newPassword) {
    return new VimSettings(
        sdkUrl, username, newPassword, requestTimeout, keepAliveInterval, tls, apiVersion);
  }

  /** Whether {@code host} is a loopback name or address (checked without DNS). */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost")
        || h.equals("::1")
        || h.equals("0:0:0:0:0:0:0:1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** Without the password. */
  @Override
  public String toString() {
    return "VimSettings[sdkUrl="
        + sdkUrl
        + ", username="
        + username
        + ", requestTimeout="
        + requestTimeout
        + ", keepAliveInterval="
        + keepAliveInterval
        + ", tls="
        + (tls.insecure() ? "insecure" : tls.trustedCertificatePem() != null ? "pinned" : "jdk")
        + ", apiVersion="
        + apiVersion
        + "]";
  }
}
