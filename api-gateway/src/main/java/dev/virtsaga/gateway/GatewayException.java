package dev.virtsaga.gateway;

import java.util.List;

/**
 * A request the gateway refuses, with the HTTP status and problem title it maps to. Mapped once, at
 * the edge, to {@code application/problem+json}.
 */
public abstract class GatewayException extends RuntimeException {
  private final int status;
  private final String title;

  protected GatewayException(int status, String title, String detail) {
    this(status, title, detail, null);
  }

  protected GatewayException(int status, String title, String detail, Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.title = title;
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** Seconds after which a retry may succeed (sent as {@code Retry-After}), or {@code null}. */
  public Integer retryAfterSeconds() {
    return null;
  }

  /** The request fields the refusal concerns (problem {@code errors}), or {@code null}. */
  public List<FieldError> errors() {
    return null;
  }

  /** A short machine-readable kind, used as the last segment of the problem {@code type} URI. */
  public abstract String kind();
}
