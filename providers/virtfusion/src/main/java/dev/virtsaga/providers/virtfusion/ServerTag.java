package dev.virtsaga.providers.virtfusion;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a server carries its vmId. VirtFusion has no labels and no list-by-name, so the server's name
 * ends with {@code [vs:<vmId>]}: {@code web-1 [vs:3f2c…]}. A server whose name does not end so is
 * not managed by VirtSaga and is never listed, described, changed or deleted.
 */
final class ServerTag {
  private static final Pattern TAGGED = Pattern.compile("^(.*) \\[vs:([^\\s\\[\\]]{1,128})\\]$");
  private static final int MAX_DISPLAY = 100;

  private ServerTag() {}

  /** The server name for a VM: its display name (shortened), then the tag. */
  static String name(String displayName, String vmId) {
    if (!isTaggable(vmId)) {
      throw new IllegalArgumentException("a vmId is 1-128 characters without spaces or brackets");
    }
    String display = displayName.strip().replaceAll("[\\s\\[\\]]+", " ");
    if (display.length() > MAX_DISPLAY) {
      display = display.substring(0, MAX_DISPLAY);
    }
    return display + " [vs:" + vmId + "]";
  }

  /** The vmId in a server name, when it carries one. */
  static Optional<String> vmIdOf(String serverName) {
    if (serverName == null) {
      return Optional.empty();
    }
    Matcher m = TAGGED.matcher(serverName);
    return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
  }

  static boolean isTaggable(String vmId) {
    return vmId != null && vmId.matches("[^\\s\\[\\]]{1,128}");
  }

  /**
   * A host name (one DNS label, at most 63 characters) from a display name: lower case letters,
   * digits and hyphens; {@code vm} when nothing is left.
   */
  static String hostname(String displayName) {
    String h =
        displayName
            .toLowerCase(java.util.Locale.ROOT)
            .replaceAll("[^a-z0-9-]+", "-")
            .replaceAll("-{2,}", "-")
            .replaceAll("^-+", "");
    if (h.length() > 63) {
      h = h.substring(0, 63);
    }
    h = h.replaceAll("-+$", "");
    return h.isEmpty() ? "vm" : h;
  }
}
