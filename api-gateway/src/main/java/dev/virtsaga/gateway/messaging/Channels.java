package dev.virtsaga.gateway.messaging;

/**
 * Reactive-messaging channel names. Topics are mapped to them in {@code application.properties}
 * (the {@code ## Kafka} block), never named in code.
 */
public final class Channels {
  /** Out: commands, to {@code vm.commands.v1}. */
  public static final String COMMANDS = "vm-commands";

  /** In: VM snapshots from the compacted {@code vm.state.v1}; per-instance group, from earliest. */
  public static final String STATE = "vm-state";

  /**
   * Incoming provider status ({@code vm.providers.v1}, compacted), read whole by every instance.
   */
  public static final String PROVIDERS = "vm-providers";

  /**
   * In: {@code vm.lifecycle.v1} for SSE and in-flight tracking; per-instance group, from latest
   * (every instance sees every event).
   */
  public static final String LIFECYCLE_EVENTS = "vm-lifecycle-events";

  /**
   * In: {@code vm.lifecycle.v1} for the operations table; one group shared by all instances,
   * committed, so each event is applied once whether instances come and go.
   */
  public static final String LIFECYCLE_OPERATIONS = "vm-lifecycle-operations";

  /**
   * In: {@code vm.observations.v1} for the adoption candidates table; one group shared by all
   * instances, committed after each database write.
   */
  public static final String OBSERVATIONS = "vm-observations";

  private Channels() {}
}
