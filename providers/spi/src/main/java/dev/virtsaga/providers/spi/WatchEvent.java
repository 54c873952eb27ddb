package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * One change seen by {@link WatchSource#watch}.
 *
 * @param type what happened
 * @param vmId the VM ({@code null} for {@link Type#GONE})
 * @param power its power state after the change ({@link PowerState#NOT_FOUND} when DELETED, {@link
 *     PowerState#UNKNOWN} for GONE)
 * @param resourceVersion the version after this event: watching again from it continues after it
 * @param vm the VM's description when the adapter has it cheaply, else {@code null}
 */
public record WatchEvent(
    Type type, String vmId, PowerState power, String resourceVersion, VmDescription vm) {

  /** What happened. */
  public enum Type {
    ADDED,
    MODIFIED,
    DELETED,
    /**
     * The watch cannot continue from its resource version (the connection was lost and
     * re-established, or the version is too old): events may have been missed. The stream ends
     * after this event; the consumer relists ({@link WatchSource#listWithVersion()}) and reconciles
     * deletions it missed, then watches from the new version.
     */
    GONE
  }

  public WatchEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(power, "power");
    if (type != Type.GONE) {
      Objects.requireNonNull(vmId, "vmId");
      Objects.requireNonNull(resourceVersion, "resourceVersion");
    }
  }

  public static WatchEvent gone() {
    return new WatchEvent(Type.GONE, null, PowerState.UNKNOWN, null, null);
  }
}
