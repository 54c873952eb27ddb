package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the simulated API server serves: the resource types (core ones, CRDs and the KubeVirt ones
 * of the served groups) and the discovery documents ({@code /api}, {@code /apis}, {@code
 * /apis/<group>}, {@code /apis/<group>/<version>}, {@code /version}) and CRD objects describing
 * them.
 */
final class Discovery {

  /** A resource type the API serves. */
  record ResourceType(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      boolean statusSubresource,
      List<String> shortNames,
      KubeVirtResource kubevirt) {

    String apiVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }

    static ResourceType of(KubeVirtResource r) {
      return new ResourceType(
          r.group(),
          r.version(),
          r.kind(),
          r.plural(),
          r.namespaced(),
          r.statusSubresource(),
          r.shortNames(),
          r);
    }
  }

  static final String KUBERNETES_VERSION = "v1.31.0";
  static final String KUBEVIRT_VERSION = "v1.4.0";
  static final String APIEXTENSIONS = "apiextensions.k8s.io";

  private static final List<String> VERBS =
      List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch");

  static final ResourceType NODES =
      new ResourceType("", "v1", "Node", "nodes", false, true, List.of("no"), null);
  static final ResourceType NAMESPACES =
      new ResourceType("", "v1", "Namespace", "namespaces", false, true, List.of("ns"), null);
  static final ResourceType EVENTS =
      new ResourceType("", "v1", "Event", "events", true, false, List.of("ev"), null);
  static final ResourceType CRDS =
      new ResourceType(
          APIEXTENSIONS,
          "v1",
          "CustomResourceDefinition",
          "customresourcedefinitions",
          false,
          true,
          List.of("crd", "crds"),
          null);

  private final Set<String> servedGroups;
  private final List<ResourceType> types = new ArrayList<>();

  Discovery(Set<String> servedGroups) {
    this.servedGroups = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(servedGroups));
    types.add(NODES);
    types.add(NAMESPACES);
    types.add(EVENTS);
    types.add(CRDS);
    for (KubeVirtResource r : KubeVirtResource.values()) {
      if (servedGroups.contains(r.group())) {
        types.add(ResourceType.of(r));
      }
    }
  }

  boolean serves(String group) {
    return servedGroups.contains(group);
  }

  boolean serves(KubeVirtResource r) {
    return servedGroups.contains(r.group());
  }

  Set<String> servedGroups() {
    return servedGroups;
  }

  List<ResourceType> types() {
    return types;
  }

  Optional<ResourceType> find(String group, String version, String plural) {
    return types.stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version))
        .filter(t -> t.plural().equals(plural))
        .findFirst();
  }

  /** {@code GET /api}. */
  ObjectNode apiVersions() {
    ObjectNode o = KubeJson.object();
    o.put("kind", "APIVersions");
    o.putArray("versions").add("v1");
    ObjectNode addr = o.putArray("serverAddressByClientCIDRs").addObject();
    addr.put("clientCIDR", "0.0.0.0/0");
    addr.put("serverAddress", "127.0.0.1");
    return o;
  }

  /** The served API groups other than core, with subresources.kubevirt.io when kubevirt.io is. */
  List<String> groups() {
    Set<String> g = new LinkedHashSet<>();
    g.add(APIEXTENSIONS);
    for (ResourceType t : types) {
      if (!t.group().isEmpty()) {
        g.add(t.group());
      }
    }
    if (serves(KubeVirtResource.KUBEVIRT)) {
      g.add(KubeVirtResource.SUBRESOURCES);
    }
    return new ArrayList<>(g);
  }

  private String versionOf(String group) {
    if (group.equals(KubeVirtResource.SUBRESOURCES)) {
      return "v1";
    }
    return types.stream()
        .filter(t -> t.group().equals(group))
        .map(ResourceType::version)
        .findFirst()
        .orElse(null);
  }

  /** {@code GET /apis}. */
  ObjectNode groupList() {
    ObjectNode o = KubeJson.object();
    o.put("kind", "APIGroupList");
    o.put("apiVersion", "v1");
    ArrayNode groups = o.putArray("groups");
    for (String g : groups()) {
      groups.add(groupDoc(g));
    }
    return o;
  }

  private ObjectNode groupDoc(String group) {
    String v = versionOf(group);
    ObjectNode g = KubeJson.object();
    g.put("name", group);
    ObjectNode gv = g.putArray("versions").addObject();
    gv.put("groupVersion", group + "/" + v);
    gv.put("version", v);
    ObjectNode pref = g.putObject("preferredVersion");
    pref.put("groupVersion", group + "/" + v);
    pref.put("version", v);
    return g;
  }

  /** {@code GET /apis/<group>}, or null when not served. */
  ObjectNode group(String group) {
    if (!groups().contains(group)) {
      return null;
    }
    ObjectNode g = groupDoc(group);
    ObjectNode o = KubeJson.object();
    o.put("kind", "APIGroup");
    o.put("apiVersion", "v1");
    o.setAll(g);
    return o;
  }

  /** {@code GET /api/v1} or {@code /apis/<group>/<version>}, or null when not served. */
  ObjectNode resourceList(String group, String version) {
    if (group.equals(KubeVirtResource.SUBRESOURCES)) {
      return "v1".equals(version) && serves(KubeVirtResource.KUBEVIRT) ? subresourceList() : null;
    }
    List<ResourceType> list =
        types.stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
    if (list.isEmpty()) {
      return null;
    }
    ObjectNode o = resourceListHead(group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = o.putArray("resources");
    for (ResourceType t : list) {
      ObjectNode r = resources.addObject();
      r.put("name", t.plural());
      r.put("singularName", t.plural().substring(0, t.plural().length() - 1));
      r.put("namespaced", t.namespaced());
      r.put("kind", t.kind());
      VERBS.forEach(r.putArray("verbs")::add);
      ArrayNode shortNames = r.putArray("shortNames");
      t.shortNames().forEach(shortNames::add);
      if (t.kubevirt() != null && t.namespaced()) {
        r.putArray("categories").add("all"); // as KubeVirt's namespaced CRDs
      }
      if (t.statusSubresource()) {
        ObjectNode s = resources.addObject();
        s.put("name", t.plural() + "/status");
        s.put("singularName", "");
        s.put("namespaced", t.namespaced());
        s.put("kind", t.kind());
        ArrayNode verbs = s.putArray("verbs");
        verbs.add("get");
        verbs.add("patch");
        verbs.add("update");
      }
    }
    return o;
  }

  private static ObjectNode resourceListHead(String groupVersion) {
    ObjectNode o = KubeJson.object();
    o.put("kind", "APIResourceList");
    o.put("apiVersion", "v1");
    o.put("groupVersion", groupVersion);
    return o;
  }

  /** The subresources virt-api serves that the simulator implements. */
  private ObjectNode subresourceList() {
    ObjectNode o = resourceListHead(KubeVirtResource.SUBRESOURCES + "/v1");
    ArrayNode resources = o.putArray("resources");
    String[][] subs = {
      {"virtualmachines/start", "VirtualMachine", "update"},
      {"virtualmachines/stop", "VirtualMachine", "update"},
      {"virtualmachines/restart", "VirtualMachine", "update"},
      {"virtualmachines/migrate", "VirtualMachine", "update"},
      {"virtualmachineinstances/pause", "VirtualMachineInstance", "update"},
      {"virtualmachineinstances/unpause", "VirtualMachineInstance", "update"},
      {"virtualmachineinstances/vnc", "VirtualMachineInstance", "get"},
    };
    for (String[] s : subs) {
      ObjectNode r = resources.addObject();
      r.put("name", s[0]);
      r.put("singularName", "");
      r.put("namespaced", true);
      r.put("kind", s[1]);
      r.putArray("verbs").add(s[2]);
    }
    return o;
  }

  /** {@code GET /version}. */
  static ObjectNode version() {
    ObjectNode o = KubeJson.object();
    o.put("major", "1");
    o.put("minor", "31");
    o.put("gitVersion", KUBERNETES_VERSION);
    o.put("gitCommit", "virtsaga-kubevirt-simulator");
    o.put("gitTreeState", "clean");
    o.put("buildDate", "2024-08-13T00:00:00Z");
    o.put("goVersion", "go1.22.5");
    o.put("compiler", "gc");
    o.put("platform", "linux/amd64");
    return o;
  }

  /** {@code GET /apis/subresources.kubevirt.io/v1/version}: virt-api's version. */
  static ObjectNode kubevirtVersion() {
    ObjectNode o = version();
    o.put("gitVersion", KUBEVIRT_VERSION);
    return o;
  }

  /** The CustomResourceDefinitions of the served KubeVirt resources, as virt-operator installs. */
  List<ObjectNode> crds() {
    List<ObjectNode> out = new ArrayList<>();
    for (ResourceType t : types) {
      if (t.kubevirt() != null) {
        out.add(crd(t.kubevirt()));
      }
    }
    return out;
  }

  private static ObjectNode crd(KubeVirtResource r) {
    ObjectNode crd = KubeJson.object();
    crd.put("apiVersion", APIEXTENSIONS + "/v1");
    crd.put("kind", "CustomResourceDefinition");
    ObjectNode meta = crd.putObject("metadata");
    meta.put("name", r.crdName());
    meta.putObject("labels").put("app.kubernetes.io/component", "kubevirt");
    ObjectNode spec = crd.putObject("spec");
    spec.put("group", r.group());
    spec.put("scope", r.namespaced() ? "Namespaced" : "Cluster");
    ObjectNode names = spec.putObject("names");
    names.put("kind", r.kind());
    names.put("listKind", r.kind() + "List");
    names.put("plural", r.plural());
    names.put("singular", r.singular());
    r.shortNames().forEach(names.putArray("shortNames")::add);
    ObjectNode v = spec.putArray("versions").addObject();
    v.put("name", r.version());
    v.put("served", true);
    v.put("storage", true);
    ObjectNode schema = v.putObject("schema").putObject("openAPIV3Schema");
    schema.put("type", "object");
    schema.put("x-kubernetes-preserve-unknown-fields", true);
    if (r.statusSubresource()) {
      v.putObject("subresources").putObject("status");
    }
    ObjectNode status = crd.putObject("status");
    status.set("acceptedNames", names.deepCopy());
    ObjectNode established = status.putArray("conditions").addObject();
    established.put("type", "Established");
    established.put("status", "True");
    established.put("reason", "InitialNamesAccepted");
    established.put("message", "the initial names have been accepted");
    established.put("lastTransitionTime", KubeJson.now());
    status.putArray("storedVersions").add(r.version());
    return crd;
  }
}
