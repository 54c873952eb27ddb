package dev.virtsaga.gateway;

import java.util.List;

/**
 * The VM's provider has declared that it lacks what the command needs, or the request asks for
 * something VirtSaga does not do (422, problem type {@code not-supported}): refused up front, never
 * accepted and lost, never silently ignored.
 */
public class NotSupportedException extends GatewayException {
  private final List<FieldError> errors;

  public NotSupportedException(String detail) {
    this(detail, null);
  }

  /**
   * @param errors the request fields asking for what is not supported, or {@code null}
   */
  public NotSupportedException(String detail, List<FieldError> errors) {
    super(422, "Not supported by the provider", detail);
    this.errors = errors == null ? null : List.copyOf(errors);
  }

  @Override
  public List<FieldError> errors() {
    return errors;
  }

  @Override
  public String kind() {
    return "not-supported";
  }
}
