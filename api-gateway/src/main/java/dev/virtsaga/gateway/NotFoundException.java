package dev.virtsaga.gateway;

/** No such VM, operation or action for this tenant (404). */
public class NotFoundException extends GatewayException {
  public NotFoundException(String detail) {
    super(404, "Not found", detail);
  }

  public static NotFoundException vm(String vmId) {
    return new NotFoundException("VM " + vmId + " does not exist");
  }

  public static NotFoundException operation(String operationId) {
    return new NotFoundException("operation " + operationId + " does not exist");
  }

  @Override
  public String kind() {
    return "not-found";
  }
}
