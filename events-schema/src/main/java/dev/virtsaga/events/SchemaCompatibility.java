package dev.virtsaga.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds backward-incompatible differences between a released schema and a new one, so that a
 * consumer written against the released schema still reads every event valid under the new one: no
 * property may disappear or change type, no optional property may become required, no required
 * property may be added, no enum value may be removed, and a property that was never null may not
 * become nullable. Enum values may be added: readers must treat a value they do not know as unknown
 * (docs/events.md).
 */
public final class SchemaCompatibility {
  private SchemaCompatibility() {}

  /** The breaking changes from {@code released} to {@code next}; empty when compatible. */
  public static List<String> breakingChanges(JsonNode released, JsonNode next) {
    List<String> out = new ArrayList<>();
    compare("$", released, released, next, next, out);
    return out;
  }

  private static void compare(
      String path,
      JsonNode oldRoot,
      JsonNode oldNode,
      JsonNode newRoot,
      JsonNode newNode,
      List<String> out) {
    JsonNode o = resolve(oldRoot, oldNode);
    JsonNode n = resolve(newRoot, newNode);
    Set<String> oldTypes = types(o);
    Set<String> newTypes = types(n);
    if (!oldTypes.isEmpty()) {
      Set<String> added = new HashSet<>(newTypes);
      added.removeAll(oldTypes);
      Set<String> removed = new HashSet<>(oldTypes);
      removed.removeAll(newTypes);
      if (!removed.isEmpty()
          && !(removed.equals(Set.of("integer")) && newTypes.contains("number"))) {
        out.add(path + ": type " + oldTypes + " became " + newTypes);
      } else if (!added.isEmpty()) {
        out.add(path + ": now also accepts " + added + " which released readers do not expect");
      }
    }
    if (o.has("enum")) {
      Set<String> newValues = texts(n.path("enum"));
      for (JsonNode v : o.get("enum")) {
        if (!v.isNull() && !newValues.contains(v.asText())) {
          out.add(path + ": enum value " + v.asText() + " was removed");
        }
      }
    }
    Set<String> oldRequired = texts(o.path("required"));
    Set<String> newRequired = texts(n.path("required"));
    for (String r : newRequired) {
      if (!oldRequired.contains(r)) {
        out.add(path + "." + r + ": became required");
      }
    }
    JsonNode oldProps = o.path("properties");
    JsonNode newProps = n.path("properties");
    for (Iterator<Map.Entry<String, JsonNode>> it = oldProps.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!newProps.has(e.getKey())) {
        out.add(path + "." + e.getKey() + ": was removed");
      } else {
        compare(
            path + "." + e.getKey(), oldRoot, e.getValue(), newRoot, newProps.get(e.getKey()), out);
      }
    }
    if (o.has("items") && n.has("items")) {
      compare(path + "[]", oldRoot, o.get("items"), newRoot, n.get("items"), out);
    }
    if (o.path("additionalProperties").isObject() && n.path("additionalProperties").isObject()) {
      compare(
          path + "{}",
          oldRoot,
          o.get("additionalProperties"),
          newRoot,
          n.get("additionalProperties"),
          out);
    }
  }

  private static JsonNode resolve(JsonNode root, JsonNode node) {
    JsonNode current = node;
    for (int depth = 0; current.has("$ref") && depth < 16; depth++) {
      String ref = current.get("$ref").asText();
      if (!ref.startsWith("#")) {
        throw new IllegalArgumentException("only local $ref is supported: " + ref);
      }
      current = ref.equals("#") ? root : root.at(ref.substring(1));
    }
    return current;
  }

  private static Set<String> types(JsonNode node) {
    JsonNode t = node.path("type");
    if (t.isTextual()) {
      return Set.of(t.asText());
    }
    return texts(t);
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> s = new HashSet<>();
    array.forEach(v -> s.add(v.asText()));
    return s;
  }
}
