package dev.virtsaga.gateway;

/**
 * The VM's provider has declared that it lacks what the command needs (422, problem type {@code
 * not-supported}): refused up front, never accepted and lost.
 */
public class NotSupportedException extends GatewayException {
  public NotSupportedException(String detail) {
    super(422, "Not supported by the provider", detail);
  }

  @Override
  public String kind() {
    return "not-supported";
  }
}
