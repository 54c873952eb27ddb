package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmDescription;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the adapter reads of one VirtFusion server record ({@code GET /servers/{id}}, the full form
 * of {@code GET /servers}, or {@code GET /servers/user/{id}}).
 *
 * @param state VirtFusion's {@code state}: {@code created} (allocated, no OS), {@code building},
 *     {@code running}, {@code stopped}, …
 * @param commissionStatus 0 not built, 1 building, 3 built
 * @param ips IPv4 then IPv6 addresses of the server's interfaces
 */
record ServerView(
    long id,
    String name,
    String hostname,
    String state,
    int commissionStatus,
    boolean suspended,
    boolean buildFailed,
    boolean deleting,
    Integer cpuCores,
    Integer memoryMb,
    Integer storageGb,
    List<String> ips,
    Map<String, String> raw) {

  static final int COMMISSION_NONE = 0;
  static final int COMMISSION_BUILDING = 1;
  static final int COMMISSION_BUILT = 3;

  static ServerView of(JsonObject s) {
    JsonObject resources = resources(s);
    List<String> ips = new ArrayList<>();
    JsonObject network = s.getJsonObject("network");
    JsonArray interfaces = network == null ? null : network.getJsonArray("interfaces");
    if (interfaces != null) {
      List<String> v6 = new ArrayList<>();
      for (Object i : interfaces) {
        if (i instanceof JsonObject nic) {
          addresses(nic.getValue("ipv4"), ips);
          addresses(nic.getValue("ipv6"), v6);
        }
      }
      ips.addAll(v6);
    }
    Map<String, String> raw = new LinkedHashMap<>();
    for (String key :
        List.of(
            "id",
            "uuid",
            "name",
            "hostname",
            "state",
            "commissionStatus",
            "suspended",
            "buildFailed",
            "hypervisorId",
            "ownerId")) {
      Object v = s.getValue(key);
      if (v != null) {
        raw.put(key, String.valueOf(v));
      }
    }
    Integer commission = integer(s, "commissionStatus");
    if (commission == null) {
      commission = integer(s, "commissioned");
    }
    return new ServerView(
        s.getLong("id"),
        s.getString("name"),
        s.getString("hostname"),
        s.getString("state"),
        commission == null ? COMMISSION_NONE : commission,
        Boolean.TRUE.equals(s.getBoolean("suspended")),
        Boolean.TRUE.equals(s.getBoolean("buildFailed")),
        Boolean.TRUE.equals(s.getBoolean("deleting")),
        integer(resources, "cpuCores"),
        integer(resources, "memory"),
        integer(resources, "storage"),
        ips,
        raw);
  }

  /** The vmId of the server's tag, when it is one of ours. */
  Optional<String> vmId() {
    return ServerTag.vmIdOf(name);
  }

  boolean isManaged() {
    return vmId().isPresent();
  }

  boolean isBuilt() {
    return commissionStatus == COMMISSION_BUILT;
  }

  boolean isBuilding() {
    return commissionStatus == COMMISSION_BUILDING || "building".equals(stateLower());
  }

  boolean isRunning() {
    return !suspended && "running".equals(stateLower());
  }

  /**
   * The power state: suspended → PAUSED; running → ON; stopped, allocated ({@code created}) and
   * being built → OFF (the guest has not been started by anyone); crashed → CRASHED; else UNKNOWN.
   */
  PowerState power() {
    if (suspended) {
      return PowerState.PAUSED;
    }
    return switch (stateLower()) {
      case "running", "online", "booted" -> PowerState.ON;
      case "stopped", "offline", "shutdown", "created", "building", "queued" -> PowerState.OFF;
      case "crashed" -> PowerState.CRASHED;
      case "paused", "suspended" -> PowerState.PAUSED;
      default -> PowerState.UNKNOWN;
    };
  }

  /** Whether the server is between two stable states (watched with the fast interval). */
  boolean inTransition() {
    return isBuilding() || deleting || power() == PowerState.UNKNOWN;
  }

  VmDescription describe(String vmId) {
    return new VmDescription(vmId, Long.toString(id), true, power(), ips, null, raw);
  }

  private String stateLower() {
    return state == null ? "" : state.toLowerCase(Locale.ROOT);
  }

  private static JsonObject resources(JsonObject s) {
    JsonObject settings = s.getJsonObject("settings");
    if (settings != null && settings.getJsonObject("resources") != null) {
      return settings.getJsonObject("resources");
    }
    JsonObject resources = s.getJsonObject("resources");
    return resources == null ? new JsonObject() : resources;
  }

  private static void addresses(Object list, List<String> into) {
    if (!(list instanceof JsonArray array)) {
      return;
    }
    for (Object a : array) {
      if (a instanceof String text) {
        into.add(text);
      } else if (a instanceof JsonObject o) {
        if (o.getValue("address") instanceof String address) {
          into.add(address);
        } else if (o.getValue("addresses") instanceof JsonArray more) {
          more.forEach(m -> into.add(String.valueOf(m)));
        }
      }
    }
  }

  private static Integer integer(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (v instanceof String text) {
      try {
        return Integer.parseInt(text.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
