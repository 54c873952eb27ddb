package dev.virtsaga.devstack.kubevirt;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes API request path taken apart: {@code /api/v1/...} (core, group {@code ""}) or {@code
 * /apis/<group>/<version>/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]]}, plus the decoded
 * query parameters.
 *
 * @param raw the path as received, with its query
 * @param path the path without the query
 * @param prefix {@code api}, {@code apis} or something else (then nothing else is set)
 */
record ApiPath(
    String raw,
    String path,
    String prefix,
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource,
    Map<String, String> query) {

  static ApiPath parse(String raw) {
    int q = raw.indexOf('?');
    String path = q < 0 ? raw : raw.substring(0, q);
    Map<String, String> query = new LinkedHashMap<>();
    if (q >= 0) {
      for (String pair : raw.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        query.putIfAbsent(k, v);
      }
    }
    List<String> segs = new ArrayList<>(Arrays.asList(path.split("/")));
    segs.removeIf(String::isEmpty);
    String prefix = segs.isEmpty() ? "" : segs.get(0);
    String group = null;
    String version = null;
    int rest;
    if ("api".equals(prefix)) {
      group = "";
      version = segs.size() > 1 ? segs.get(1) : null;
      rest = 2;
    } else if ("apis".equals(prefix)) {
      group = segs.size() > 1 ? segs.get(1) : null;
      version = segs.size() > 2 ? segs.get(2) : null;
      rest = 3;
    } else {
      return new ApiPath(raw, path, prefix, null, null, null, null, null, null, query);
    }
    List<String> r = segs.size() > rest ? segs.subList(rest, segs.size()) : List.of();
    String namespace = null;
    if (r.size() >= 3 && "namespaces".equals(r.get(0))) {
      namespace = r.get(1);
      r = r.subList(2, r.size());
    }
    String plural = r.size() > 0 ? r.get(0) : null;
    String name = r.size() > 1 ? r.get(1) : null;
    String sub = r.size() > 2 ? String.join("/", r.subList(2, r.size())) : null;
    return new ApiPath(raw, path, prefix, group, version, namespace, plural, name, sub, query);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  String param(String key) {
    return query.get(key);
  }

  boolean watch() {
    String w = query.get("watch");
    return "true".equals(w) || "1".equals(w);
  }

  /** {@code ?dryRun=All}: validate and answer, store nothing. */
  boolean dryRun() {
    return "All".equals(query.get("dryRun"));
  }

  String groupVersion() {
    return group == null || group.isEmpty() ? version : group + "/" + version;
  }

  /** The path of the object itself (no subresource, no query), for internal reads. */
  String objectPath() {
    StringBuilder b = new StringBuilder("/").append(prefix);
    if (group != null && !group.isEmpty()) {
      b.append('/').append(group);
    }
    b.append('/').append(version);
    if (namespace != null) {
      b.append("/namespaces/").append(namespace);
    }
    b.append('/').append(plural);
    if (name != null) {
      b.append('/').append(name);
    }
    return b.toString();
  }

  /** The store path of an object of {@code r}. */
  static String of(KubeVirtResource r, String namespace, String name) {
    StringBuilder b = new StringBuilder("/apis/").append(r.group()).append('/').append(r.version());
    if (r.namespaced()) {
      b.append("/namespaces/").append(namespace);
    }
    b.append('/').append(r.plural());
    if (name != null) {
      b.append('/').append(name);
    }
    return b.toString();
  }
}
