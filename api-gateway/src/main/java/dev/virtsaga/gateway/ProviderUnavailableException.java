package dev.virtsaga.gateway;

/**
 * A read that goes to the provider's worker cannot be served now (503): the worker has not declared
 * an endpoint, the provider is not healthy, or the worker did not answer in time.
 */
public class ProviderUnavailableException extends GatewayException {
  public ProviderUnavailableException(String detail) {
    this(detail, null);
  }

  public ProviderUnavailableException(String detail, Throwable cause) {
    super(503, "Provider unavailable", detail, cause);
  }

  @Override
  public Integer retryAfterSeconds() {
    return 5;
  }

  @Override
  public String kind() {
    return "provider-unavailable";
  }
}
