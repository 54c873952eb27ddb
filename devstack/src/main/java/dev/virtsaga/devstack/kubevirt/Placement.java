package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated scheduler and pod network: picks nodes round-robin among the schedulable Node
 * objects, and gives each VM one pod IP ({@code 10.244.x.y}) and MAC address that stay the same for
 * the VM's name for the simulator's lifetime.
 */
final class Placement {

  private final Map<String, String> ips = new ConcurrentHashMap<>();
  private int nextIp;
  private int nextNode;

  /** The names of the nodes a VMI can be scheduled to. */
  static List<String> schedulable(List<ObjectNode> nodes) {
    List<String> out = new ArrayList<>();
    for (ObjectNode n : nodes) {
      boolean cordoned = KubeJson.at(n, "spec", "unschedulable").asBoolean(false);
      boolean kubevirtOff =
          "false".equals(KubeJson.text(n, "metadata", "labels", "kubevirt.io/schedulable"));
      JsonNode ready = null;
      for (JsonNode c : KubeJson.at(n, "status", "conditions")) {
        if ("Ready".equals(c.path("type").asText())) {
          ready = c;
        }
      }
      boolean notReady = ready != null && !"True".equals(ready.path("status").asText());
      if (!cordoned && !kubevirtOff && !notReady) {
        out.add(KubeJson.name(n));
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  /**
   * The next node round-robin, other than {@code exclude}, or {@code required} when given (if it is
   * schedulable); null when none fits.
   */
  synchronized String pick(List<String> candidates, String exclude, String required) {
    List<String> fit = new ArrayList<>(candidates);
    if (exclude != null) {
      fit.remove(exclude);
    }
    if (required != null) {
      return fit.contains(required) ? required : null;
    }
    if (fit.isEmpty()) {
      return null;
    }
    String node = fit.get(Math.floorMod(nextNode, fit.size()));
    nextNode++;
    return node;
  }

  /** The VM's pod IP, allocated on first use. */
  synchronized String ip(String namespace, String name) {
    return ips.computeIfAbsent(
        namespace + "/" + name,
        k -> {
          int n = nextIp++;
          return "10.244." + (1 + n / 250) + "." + (2 + n % 250);
        });
  }

  /** A stable, locally administered MAC for the VM's interface. */
  static String mac(String namespace, String name, int index) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest((namespace + "/" + name + "/" + index).getBytes(StandardCharsets.UTF_8));
      return String.format("02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The InternalIP of a node object, or null. */
  static String address(List<ObjectNode> nodes, String node) {
    for (ObjectNode n : nodes) {
      if (node.equals(KubeJson.name(n))) {
        for (JsonNode a : KubeJson.at(n, "status", "addresses")) {
          if ("InternalIP".equals(a.path("type").asText())) {
            return a.path("address").asText();
          }
        }
      }
    }
    return null;
  }
}
