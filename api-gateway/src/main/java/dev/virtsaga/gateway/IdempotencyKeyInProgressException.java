package dev.virtsaga.gateway;

/** The first request with this Idempotency-Key is still being processed (409). */
public class IdempotencyKeyInProgressException extends GatewayException {
  public IdempotencyKeyInProgressException(String key) {
    super(
        409,
        "Request in progress",
        "a request with Idempotency-Key '" + key + "' is still being processed; retry shortly");
  }

  @Override
  public String kind() {
    return "idempotency-key-in-progress";
  }
}
