package dev.virtsaga.gateway;

/** Kafka did not acknowledge the command; nothing was accepted (503). */
public class CommandNotPublishedException extends GatewayException {
  public CommandNotPublishedException(String operationId, Throwable cause) {
    super(
        503,
        "Command not accepted",
        "the command could not be handed to the message broker (operation "
            + operationId
            + " was not started); retry later",
        cause);
  }

  @Override
  public Integer retryAfterSeconds() {
    return 1;
  }

  @Override
  public String kind() {
    return "broker-unavailable";
  }
}
