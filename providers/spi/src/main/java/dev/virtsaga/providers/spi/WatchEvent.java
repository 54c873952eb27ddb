package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * One change seen by {@link WatchSource#watch}.
 *
 * @param type what happened
 * @param vmId the VM ({@code null} for {@link Type#GONE} and {@link Type#BOOKMARK})
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
    GONE,
    /**
     * No change: the source has seen everything up to {@code resourceVersion} (a Kubernetes watch
     * bookmark). A consumer that resumes later resumes from it, so a quiet watch does not fall
     * behind the server's history.
     */
    BOOKMARK
  }

  public WatchEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(power, "power");
    if (type == Type.BOOKMARK) {
      Objects.requireNonNull(resourceVersion, "resourceVersion");
    } else if (type != Type.GONE) {
      Objects.requireNonNull(vmId, "vmId");
      Objects.requireNonNull(resourceVersion, "resourceVersion");
    }
  }

  /** A bookmark at {@code resourceVersion}. */
  public static WatchEvent bookmark(String resourceVersion) {
    return new WatchEvent(Type.BOOKMARK, null, PowerState.UNKNOWN, resourceVersion, null);
  }

  public static WatchEvent gone() {
    return new WatchEvent(Type.GONE, null, PowerState.UNKNOWN, null, null);
  }
}
