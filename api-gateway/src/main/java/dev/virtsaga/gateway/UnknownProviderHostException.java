package dev.virtsaga.gateway;

import java.util.List;

/** A host the VM's provider does not declare among its hosts (422). */
public class UnknownProviderHostException extends GatewayException {
  private final String field;

  /**
   * @param field the request field naming the host
   * @param known the hosts the provider declares
   */
  public UnknownProviderHostException(
      String field, String provider, String host, List<String> known) {
    super(
        422,
        "Unknown host",
        "host '"
            + host
            + "' is not a host of provider "
            + provider
            + "; known hosts: "
            + String.join(", ", known));
    this.field = field;
  }

  @Override
  public List<FieldError> errors() {
    return List.of(new FieldError(field, getMessage()));
  }

  @Override
  public String kind() {
    return "unknown-host";
  }
}
