package dev.virtsaga.events;

import java.util.List;
import java.util.Map;

/** The Kafka topics of ARCHITECTURE.md §2: names, partitions and topic-level configuration. */
public final class Topics {
  public static final String COMMANDS = "vm.commands.v1";
  public static final String TASK_EVENTS = "vm.task-events.v1";
  public static final String OBSERVATIONS = "vm.observations.v1";
  public static final String LIFECYCLE = "vm.lifecycle.v1";
  public static final String STATE = "vm.state.v1";

  /** Compacted: each provider's declared capabilities and health, keyed by provider name. */
  public static final String PROVIDERS = "vm.providers.v1";

  /** Providers known to this build; each gets its own task topic (a bulkhead). */
  public static final List<String> PROVIDER_NAMES =
      List.of("libvirt", "virtfusion", "vsphere", "kubevirt");

  /** Partitions of every topic; records are keyed by vmId, so order per VM is kept. */
  public static final int PARTITIONS = 4;

  private Topics() {}

  /** The task topic of one provider, {@code vm.tasks.<provider>.v1}. */
  public static String tasks(String provider) {
    return "vm.tasks." + provider + ".v1";
  }

  /** The dead-letter topic paired with a source topic. */
  public static String dlq(String topic) {
    return topic + ".dlq";
  }

  /** A topic and the configuration it must be created with. */
  public record TopicSpec(String name, int partitions, Map<String, String> config) {}

  /** Every topic the system uses, with its configuration (the compacted state topic included). */
  public static List<TopicSpec> all() {
    var specs = new java.util.ArrayList<TopicSpec>();
    for (String t : List.of(COMMANDS, TASK_EVENTS, OBSERVATIONS, LIFECYCLE)) {
      specs.add(new TopicSpec(t, PARTITIONS, Map.of()));
      specs.add(new TopicSpec(dlq(t), 1, Map.of()));
    }
    specs.add(
        new TopicSpec(
            STATE, PARTITIONS, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0")));
    specs.add(
        new TopicSpec(
            PROVIDERS, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0")));
    for (String p : PROVIDER_NAMES) {
      specs.add(new TopicSpec(tasks(p), PARTITIONS, Map.of()));
      specs.add(new TopicSpec(dlq(tasks(p)), 1, Map.of()));
    }
    return List.copyOf(specs);
  }
}
