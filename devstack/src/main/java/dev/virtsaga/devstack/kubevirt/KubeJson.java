package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Nil-safe helpers over Jackson trees: every Kubernetes object here is an {@link ObjectNode}. */
final class KubeJson {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private KubeJson() {}

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /** Parses a JSON object; {@code null} when the text is not one. */
  static ObjectNode parseObject(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    try {
      JsonNode node = MAPPER.readTree(json);
      return node instanceof ObjectNode o ? o : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static JsonNode parse(String json) throws JsonProcessingException {
    return MAPPER.readTree(json);
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The node at {@code path} (missing node when absent), never null. */
  static JsonNode at(JsonNode node, String... path) {
    JsonNode current = node == null ? MAPPER.missingNode() : node;
    for (String p : path) {
      current = current.path(p);
    }
    return current;
  }

  /** The text at {@code path}, {@code null} when absent, null or not a scalar. */
  static String text(JsonNode node, String... path) {
    JsonNode n = at(node, path);
    return n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  static boolean has(JsonNode node, String... path) {
    JsonNode n = at(node, path);
    return !n.isMissingNode() && !n.isNull();
  }

  /** The object at {@code path}, created (replacing non-objects) where missing. */
  static ObjectNode obj(ObjectNode node, String... path) {
    ObjectNode current = node;
    for (String p : path) {
      JsonNode next = current.get(p);
      if (!(next instanceof ObjectNode)) {
        next = current.putObject(p);
      }
      current = (ObjectNode) next;
    }
    return current;
  }

  /** The array at {@code field} of {@code node}, created where missing. */
  static ArrayNode arr(ObjectNode node, String field) {
    JsonNode n = node.get(field);
    if (n instanceof ArrayNode a) {
      return a;
    }
    return node.putArray(field);
  }

  static String name(JsonNode o) {
    return text(o, "metadata", "name");
  }

  static String namespace(JsonNode o) {
    return text(o, "metadata", "namespace");
  }

  static String uid(JsonNode o) {
    return text(o, "metadata", "uid");
  }

  static boolean deleting(JsonNode o) {
    return has(o, "metadata", "deletionTimestamp");
  }

  static List<String> finalizers(JsonNode o) {
    List<String> out = new ArrayList<>();
    at(o, "metadata", "finalizers").forEach(f -> out.add(f.asText()));
    return out;
  }

  static boolean hasFinalizer(JsonNode o, String finalizer) {
    return finalizers(o).contains(finalizer);
  }

  /** The string map at {@code path} (labels, annotations), empty when absent. */
  static Map<String, String> stringMap(JsonNode node, String... path) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    JsonNode n = at(node, path);
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The condition of {@code type} in {@code status.conditions}, or null. */
  static ObjectNode condition(JsonNode o, String type) {
    for (JsonNode c : at(o, "status", "conditions")) {
      if (type.equals(c.path("type").asText()) && c instanceof ObjectNode on) {
        return on;
      }
    }
    return null;
  }

  static boolean conditionTrue(JsonNode o, String type) {
    ObjectNode c = condition(o, type);
    return c != null && "True".equals(c.path("status").asText());
  }

  /**
   * Sets the condition of {@code type} in {@code status.conditions} of {@code o}, keeping its
   * {@code lastTransitionTime} when the status does not change.
   */
  static void setCondition(
      ObjectNode o, String type, String status, String reason, String message) {
    ArrayNode conditions = arr(obj(o, "status"), "conditions");
    ObjectNode existing = null;
    for (JsonNode c : conditions) {
      if (type.equals(c.path("type").asText())) {
        existing = (ObjectNode) c;
      }
    }
    ObjectNode c = existing == null ? conditions.addObject() : existing;
    String transition =
        existing != null && status.equals(existing.path("status").asText())
            ? existing.path("lastTransitionTime").asText(now())
            : now();
    c.put("type", type);
    c.put("status", status);
    c.putNull("lastProbeTime");
    c.put("lastTransitionTime", transition);
    if (reason == null) {
      c.remove("reason");
    } else {
      c.put("reason", reason);
    }
    if (message == null) {
      c.remove("message");
    } else {
      c.put("message", message);
    }
  }

  static void removeCondition(ObjectNode o, String type) {
    JsonNode conditions = at(o, "status", "conditions");
    if (conditions instanceof ArrayNode a) {
      for (int i = a.size() - 1; i >= 0; i--) {
        if (type.equals(a.get(i).path("type").asText())) {
          a.remove(i);
        }
      }
    }
  }

  /** Kubernetes time: RFC 3339 in UTC, whole seconds. */
  static String now() {
    return format(Instant.now());
  }

  static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  static Instant parseTime(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
