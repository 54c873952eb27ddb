package dev.virtsaga.gateway;

/** The read model is still loading {@code vm.state.v1}: a VM it lacks may exist (503). */
public class ReadModelLoadingException extends GatewayException {
  public ReadModelLoadingException() {
    super(503, "Starting up", "the gateway is still loading the VM read model; retry in a moment");
  }

  @Override
  public String kind() {
    return "read-model-loading";
  }

  @Override
  public Integer retryAfterSeconds() {
    return 1;
  }
}
