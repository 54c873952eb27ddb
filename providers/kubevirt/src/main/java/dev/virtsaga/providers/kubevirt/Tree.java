package dev.virtsaga.providers.kubevirt;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Nil-safe reads of the JSON trees fabric8 gives for objects it has no types for ({@link
 * GenericKubernetesResource}): every step may be missing or of another type, and then the read is
 * empty — never a NullPointerException or a ClassCastException.
 */
final class Tree {
  private Tree() {}

  /** The whole object as a map: {@code apiVersion}, {@code kind}, {@code metadata}, the rest. */
  static Map<String, Object> of(GenericKubernetesResource r) {
    Map<String, Object> root = new LinkedHashMap<>();
    if (r == null) {
      return root;
    }
    if (r.getAdditionalProperties() != null) {
      root.putAll(r.getAdditionalProperties());
    }
    ObjectMeta m = r.getMetadata();
    if (m != null) {
      // fabric8 keeps metadata typed, apart from the rest of the tree
      Map<String, Object> meta = new LinkedHashMap<>();
      putIfSet(meta, "name", m.getName());
      putIfSet(meta, "namespace", m.getNamespace());
      putIfSet(meta, "uid", m.getUid());
      putIfSet(meta, "resourceVersion", m.getResourceVersion());
      putIfSet(meta, "creationTimestamp", m.getCreationTimestamp());
      putIfSet(meta, "labels", m.getLabels());
      putIfSet(meta, "annotations", m.getAnnotations());
      root.put("metadata", meta);
    }
    return root;
  }

  private static void putIfSet(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }

  /** The value at {@code path} (map keys), or empty. */
  static Optional<Object> at(Object root, String... path) {
    Object cur = root;
    for (String key : path) {
      if (!(cur instanceof Map<?, ?> map)) {
        return Optional.empty();
      }
      cur = map.get(key);
    }
    return Optional.ofNullable(cur);
  }

  static Optional<String> text(Object root, String... path) {
    return at(root, path).map(Object::toString).filter(s -> !s.isBlank());
  }

  static Optional<Boolean> bool(Object root, String... path) {
    return at(root, path).map(v -> v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString()));
  }

  static Optional<Long> number(Object root, String... path) {
    return at(root, path)
        .flatMap(
            v -> {
              if (v instanceof Number n) {
                return Optional.of(n.longValue());
              }
              try {
                return Optional.of(Long.parseLong(v.toString().trim()));
              } catch (NumberFormatException e) {
                return Optional.empty();
              }
            });
  }

  /** The maps in the list at {@code path}; items that are not maps are skipped. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> maps(Object root, String... path) {
    List<Map<String, Object>> out = new ArrayList<>();
    at(root, path)
        .filter(List.class::isInstance)
        .ifPresent(
            list -> {
              for (Object item : (List<Object>) list) {
                if (item instanceof Map<?, ?> m) {
                  out.add((Map<String, Object>) m);
                }
              }
            });
    return out;
  }

  /** The strings in the list at {@code path}. */
  static List<String> strings(Object root, String... path) {
    List<String> out = new ArrayList<>();
    at(root, path)
        .filter(List.class::isInstance)
        .ifPresent(
            list -> {
              for (Object item : (List<?>) list) {
                if (item != null && !item.toString().isBlank()) {
                  out.add(item.toString());
                }
              }
            });
    return out;
  }
}
