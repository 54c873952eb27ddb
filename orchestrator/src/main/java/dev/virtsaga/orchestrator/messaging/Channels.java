package dev.virtsaga.orchestrator.messaging;

/** Channel names; application.properties maps them to topics (## Kafka). */
public final class Channels {
  public static final String COMMANDS = "commands";
  public static final String TASK_EVENTS = "task-events";
  public static final String OBSERVATIONS = "observations";
  public static final String OUTBOX = "outbox";

  private Channels() {}
}
