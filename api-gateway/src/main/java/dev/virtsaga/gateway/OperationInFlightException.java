package dev.virtsaga.gateway;

/** The VM already has an operation in flight: one operation per VM (409). */
public class OperationInFlightException extends GatewayException {
  private final String operationId;

  public OperationInFlightException(String vmId, String operationId) {
    super(
        409,
        "Operation in flight",
        "VM " + vmId + " has operation " + operationId + " in flight; retry when it has finished");
    this.operationId = operationId;
  }

  public String operationId() {
    return operationId;
  }

  @Override
  public String kind() {
    return "operation-in-flight";
  }
}
