package dev.virtsaga.gateway;

/** An Idempotency-Key sent again with a different request (422). */
public class IdempotencyKeyReusedException extends GatewayException {
  public IdempotencyKeyReusedException(String key) {
    super(
        422,
        "Idempotency-Key reused",
        "Idempotency-Key '" + key + "' was already used for a different request");
  }

  @Override
  public String kind() {
    return "idempotency-key-reused";
  }
}
