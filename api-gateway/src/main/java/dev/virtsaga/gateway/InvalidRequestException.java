package dev.virtsaga.gateway;

import java.util.List;

/** The request is malformed or breaks a validation rule (400). */
public class InvalidRequestException extends GatewayException {
  private final List<FieldError> errors;

  public InvalidRequestException(String detail, List<FieldError> errors) {
    super(400, "Invalid request", detail);
    this.errors = List.copyOf(errors);
  }

  @Override
  public List<FieldError> errors() {
    return errors;
  }

  @Override
  public String kind() {
    return "invalid-request";
  }
}
