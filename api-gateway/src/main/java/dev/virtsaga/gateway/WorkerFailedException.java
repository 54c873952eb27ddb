package dev.virtsaga.gateway;

/** The provider's worker answered a read with an error the gateway cannot pass on as such (502). */
public class WorkerFailedException extends GatewayException {
  public WorkerFailedException(String detail) {
    super(502, "Worker failed", detail);
  }

  @Override
  public String kind() {
    return "worker-failed";
  }
}
