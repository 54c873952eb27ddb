package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.has;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.ApiStatus.Cause;
import dev.virtsaga.devstack.kubevirt.Discovery.ResourceType;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a real cluster makes on a write before it stores anything: the API server's own
 * (object names, the CRD schemas' required fields and formats) and KubeVirt's validating admission
 * webhooks (a subset of their rules, with their messages), plus the defaults its mutating webhooks
 * set.
 */
final class Admission {

  static final String VM_WEBHOOK = "virtualmachine-validator.kubevirt.io";
  static final String MIGRATION_WEBHOOK = "migration-create-validator.kubevirt.io";
  static final String SNAPSHOT_WEBHOOK = "virtualmachinesnapshot-validator.snapshot.kubevirt.io";
  static final String RESTORE_WEBHOOK = "virtualmachinerestore-validator.snapshot.kubevirt.io";
  static final String CLONE_WEBHOOK = "virtualmachineclone-validator.kubevirt.io";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String LABEL_MESSAGE =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and"
          + " must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc',"
          + " regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  private static final String SUBDOMAIN_MESSAGE =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
          + " '.', and must start and end with an alphanumeric character (e.g. 'example.com',"
          + " regex used for validation is"
          + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  private static final List<String> READINESS_POLICIES =
      List.of("WaitGracePeriod", "StopTarget", "WaitEventually", "FailImmediate");
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Store store;
  private final Discovery discovery;

  Admission(Store store, Discovery discovery) {
    this.store = store;
    this.discovery = discovery;
  }

  /** Five random characters, as the API server appends to a {@code generateName}. */
  static String randomSuffix() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append(ALPHANUMS.charAt(RANDOM.nextInt(ALPHANUMS.length())));
    }
    return b.toString();
  }

  /** The defaults KubeVirt's mutating webhooks set on create. */
  void mutateCreate(ResourceType type, ObjectNode obj) {
    if (type.kubevirt() == KubeVirtResource.VIRTUAL_MACHINE_CLONE
        && !has(obj, "spec", "target", "name")) {
      ObjectNode target = KubeJson.obj(obj, "spec", "target");
      target.put("apiGroup", KubeVirtResource.KUBEVIRT);
      target.put("kind", "VirtualMachine");
      String source = Objects.requireNonNullElse(text(obj, "spec", "source", "name"), "vm");
      target.put("name", "clone-" + source + "-" + randomSuffix());
    }
  }

  /**
   * Validates a create ({@code old} null) or an update of an object of {@code type} in {@code
   * namespace}: null when admitted, else the Status (422) to answer.
   */
  ObjectNode validate(ResourceType type, ObjectNode obj, ObjectNode old, String namespace) {
    String name = KubeJson.name(obj);
    ObjectNode nameError = validateName(type, name);
    if (nameError != null) {
      return nameError;
    }
    KubeVirtResource r = type.kubevirt();
    if (r == null) {
      return null;
    }
    return switch (r) {
      case VIRTUAL_MACHINE -> validateVm(type, obj, namespace);
      case VIRTUAL_MACHINE_INSTANCE_MIGRATION ->
          old == null
              ? validateMigration(obj, namespace)
              : immutableSpec(MIGRATION_WEBHOOK, obj, old);
      case VIRTUAL_MACHINE_SNAPSHOT ->
          old == null ? validateSnapshot(obj) : immutableSpec(SNAPSHOT_WEBHOOK, obj, old);
      case VIRTUAL_MACHINE_RESTORE ->
          old == null ? validateRestore(obj, namespace) : immutableSpec(RESTORE_WEBHOOK, obj, old);
      case VIRTUAL_MACHINE_CLONE -> old == null ? validateClone(obj, namespace) : null;
      case VIRTUAL_MACHINE_INSTANCETYPE, VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE ->
          validateInstancetype(type, obj);
      default -> null;
    };
  }

  private static ObjectNode validateName(ResourceType type, String name) {
    if (name == null || name.isEmpty()) {
      return ApiStatus.invalid(
          type.kind(),
          type.group(),
          name,
          List.of(
              Cause.required("metadata.name", "Required value: name or generateName is required")));
    }
    boolean vm = type.kubevirt() == KubeVirtResource.VIRTUAL_MACHINE;
    boolean ok =
        vm
            ? name.length() <= 63 && DNS_LABEL.matcher(name).matches()
            : name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
    if (ok) {
      return null;
    }
    String why =
        name.length() > (vm ? 63 : 253)
            ? "must be no more than " + (vm ? 63 : 253) + " characters"
            : vm ? LABEL_MESSAGE : SUBDOMAIN_MESSAGE;
    return ApiStatus.invalid(
        type.kind(),
        type.group(),
        name,
        List.of(Cause.invalid("metadata.name", "Invalid value: \"" + name + "\": " + why)));
  }

  // ---- VirtualMachine ----

  private ObjectNode validateVm(ResourceType type, ObjectNode vm, String namespace) {
    String name = KubeJson.name(vm);
    // The CRD schema: template and domain (with devices) are required, quantities must parse.
    List<Cause> schema = new ArrayList<>();
    JsonNode template = at(vm, "spec", "template");
    if (!template.isObject()) {
      schema.add(Cause.required("spec.template", "Required value"));
    } else if (!at(template, "spec", "domain").isObject()) {
      schema.add(Cause.required("spec.template.spec.domain", "Required value"));
    } else {
      JsonNode domain = at(template, "spec", "domain");
      if (!domain.path("devices").isObject()) {
        schema.add(Cause.required("spec.template.spec.domain.devices", "Required value"));
      }
      checkQuantity(schema, domain, "spec.template.spec.domain", "memory", "guest");
      checkQuantity(schema, domain, "spec.template.spec.domain", "resources", "requests", "memory");
      checkQuantity(schema, domain, "spec.template.spec.domain", "resources", "limits", "memory");
      for (String f : List.of("cores", "sockets", "threads")) {
        JsonNode n = domain.path("cpu").path(f);
        if (!n.isMissingNode() && !n.isNull() && !n.isIntegralNumber()) {
          schema.add(
              Cause.invalid(
                  "spec.template.spec.domain.cpu." + f,
                  "Invalid value: \""
                      + n.asText()
                      + "\": spec.template.spec.domain.cpu."
                      + f
                      + " in body must be of type integer: \""
                      + n.getNodeType().name().toLowerCase()
                      + "\""));
        }
      }
    }
    JsonNode running = at(vm, "spec", "running");
    if (!running.isMissingNode() && !running.isNull() && !running.isBoolean()) {
      schema.add(
          Cause.invalid(
              "spec.running",
              "Invalid value: \""
                  + running.asText()
                  + "\": spec.running in body must be of type boolean"));
    }
    if (!schema.isEmpty()) {
      return ApiStatus.invalid(type.kind(), type.group(), name, schema);
    }

    // KubeVirt's virtualmachine-validator webhook.
    List<Cause> causes = new ArrayList<>();
    String runStrategy = text(vm, "spec", "runStrategy");
    if (runStrategy != null && has(vm, "spec", "running")) {
      causes.add(
          Cause.invalid(
              "spec.running",
              "Running and RunStrategy are mutually exclusive. Note that Running is deprecated,"
                  + " please use RunStrategy instead"));
    }
    if (runStrategy != null && !VmSpecs.RUN_STRATEGIES.contains(runStrategy)) {
      causes.add(Cause.invalid("spec.runStrategy", "Invalid RunStrategy (" + runStrategy + ")"));
    }
    JsonNode domain = at(template, "spec", "domain");
    JsonNode instancetype = at(vm, "spec", "instancetype");
    boolean hasInstancetype = instancetype.isObject();
    if (hasInstancetype) {
      checkMatcher(causes, instancetype, namespace, false);
      List<String> conflicts = new ArrayList<>();
      JsonNode cpu = domain.path("cpu");
      for (String f : List.of("sockets", "cores", "threads", "maxSockets")) {
        if (has(cpu, f)) {
          conflicts.add("spec.template.spec.domain.cpu." + f);
        }
      }
      if (has(domain, "memory", "guest")) {
        conflicts.add("spec.template.spec.domain.memory.guest");
      }
      if (has(domain, "resources", "requests", "memory")) {
        conflicts.add("spec.template.spec.domain.resources.requests.memory");
      }
      if (!conflicts.isEmpty()) {
        String msg =
            "VM field(s) "
                + String.join(", ", conflicts)
                + " conflicts with selected instance type";
        conflicts.forEach(f -> causes.add(Cause.invalid(f, msg)));
      }
    }
    JsonNode preference = at(vm, "spec", "preference");
    if (preference.isObject()) {
      checkMatcher(causes, preference, namespace, true);
    }
    for (String f : List.of("cores", "sockets", "threads")) {
      JsonNode n = domain.path("cpu").path(f);
      if (n.isIntegralNumber() && n.asLong() < 1) {
        String field = "spec.template.spec.domain.cpu." + f;
        causes.add(
            Cause.invalid(
                field, field + " '" + n.asLong() + "': must be greater than or equal to 1."));
      }
    }
    if (!hasInstancetype) {
      JsonNode guest = domain.path("memory").path("guest");
      JsonNode request = at(domain, "resources", "requests", "memory");
      JsonNode hugepages = at(domain, "memory", "hugepages", "pageSize");
      if (!has(domain, "memory", "guest")
          && !has(domain, "resources", "requests", "memory")
          && hugepages.isMissingNode()) {
        causes.add(
            Cause.required(
                "spec.template.spec.domain.resources.requests.memory",
                "no memory requested, at least one of 'spec.template.spec.domain.memory.guest',"
                    + " 'spec.template.spec.domain.memory.hugepages.size' or"
                    + " 'spec.template.spec.domain.resources.requests.memory' must be set"));
      }
      checkMinimumMemory(causes, guest, "spec.template.spec.domain.memory.guest");
      checkMinimumMemory(causes, request, "spec.template.spec.domain.resources.requests.memory");
    }
    checkDevices(causes, at(template, "spec"));
    return causes.isEmpty() ? null : ApiStatus.webhookDenied(VM_WEBHOOK, causes);
  }

  private static void checkQuantity(
      List<Cause> causes, JsonNode base, String prefix, String... path) {
    JsonNode n = at(base, path);
    if (n.isMissingNode() || n.isNull() || VmSpecs.isQuantity(n)) {
      return;
    }
    String field = prefix + "." + String.join(".", path);
    causes.add(
        Cause.invalid(
            field,
            "Invalid value: \""
                + n.asText()
                + "\": "
                + field
                + " in body should match '"
                + VmSpecs.QUANTITY.pattern()
                + "'"));
  }

  private static void checkMinimumMemory(List<Cause> causes, JsonNode n, String field) {
    long bytes = VmSpecs.bytes(n);
    if (!n.isMissingNode() && !n.isNull() && bytes >= 0 && bytes < 1024 * 1024) {
      causes.add(
          Cause.invalid(
              field, field + " '" + n.asText() + "': must be greater than or equal to 1M."));
    }
  }

  private void checkMatcher(List<Cause> causes, JsonNode matcher, String ns, boolean preference) {
    String field = preference ? "spec.preference" : "spec.instancetype";
    String what = preference ? "preference" : "instancetype";
    String kind = text(matcher, "kind");
    List<String> kinds =
        preference
            ? List.of(VmSpecs.PREFERENCE_KIND, VmSpecs.CLUSTER_PREFERENCE_KIND)
            : List.of(VmSpecs.INSTANCETYPE_KIND, VmSpecs.CLUSTER_INSTANCETYPE_KIND);
    if (kind != null && !kind.isEmpty() && !kinds.contains(kind)) {
      causes.add(Cause.notSupported(field + ".kind", "Unsupported " + what + " kind: " + kind));
      return;
    }
    String name = text(matcher, "name");
    if (name == null || name.isEmpty()) {
      causes.add(Cause.required(field + ".name", field + ".name must be set"));
      return;
    }
    boolean found =
        discovery.serves(KubeVirtResource.INSTANCETYPE)
            && store.get(VmSpecs.matcherPath(matcher, ns, preference)) != null;
    if (!found) {
      causes.add(
          Cause.notFound(
              field,
              "Failure to find "
                  + what
                  + ": "
                  + VmSpecs.matcherResource(matcher, preference)
                  + " \""
                  + name
                  + "\" not found"));
    }
  }

  private static void checkDevices(List<Cause> causes, JsonNode vmiSpec) {
    Set<String> volumes = new HashSet<>();
    int i = 0;
    for (JsonNode v : vmiSpec.path("volumes")) {
      String field = "spec.template.spec.volumes[" + i++ + "].name";
      String n = v.path("name").asText("");
      if (!volumes.add(n)) {
        causes.add(Cause.duplicate(field, field + " '" + n + "' must be unique."));
      }
    }
    Set<String> disks = new HashSet<>();
    i = 0;
    for (JsonNode d : at(vmiSpec, "domain", "devices", "disks")) {
      String field = "spec.template.spec.domain.devices.disks[" + i++ + "].name";
      String n = d.path("name").asText("");
      if (n.isEmpty()) {
        causes.add(Cause.required(field, field + " must not be empty."));
      } else if (!disks.add(n)) {
        causes.add(Cause.duplicate(field, field + " '" + n + "' must be unique."));
      } else if (!volumes.contains(n)) {
        causes.add(Cause.notFound(field, field + " '" + n + "' not found."));
      }
    }
    Set<String> networks = new HashSet<>();
    vmiSpec.path("networks").forEach(n -> networks.add(n.path("name").asText("")));
    i = 0;
    for (JsonNode iface : at(vmiSpec, "domain", "devices", "interfaces")) {
      String field = "spec.template.spec.domain.devices.interfaces[" + i++ + "].name";
      String n = iface.path("name").asText("");
      if (!networks.contains(n)) {
        causes.add(Cause.notFound(field, field + " '" + n + "' not found."));
      }
    }
  }

  // ---- VirtualMachineInstanceMigration ----

  private ObjectNode validateMigration(ObjectNode vmim, String namespace) {
    String vmiName = text(vmim, "spec", "vmiName");
    if (vmiName == null || vmiName.isEmpty()) {
      return ApiStatus.webhookDenied(
          MIGRATION_WEBHOOK, List.of(Cause.required("spec.vmiName", "spec.vmiName is required")));
    }
    ObjectNode vmi =
        store.get(ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE, namespace, vmiName));
    if (vmi == null) {
      return ApiStatus.webhookDenied(
          MIGRATION_WEBHOOK,
          List.of(
              Cause.notFound(
                  "spec.vmiName",
                  "the VMI \"" + namespace + "/" + vmiName + "\" does not exist under the cache")));
    }
    String phase = text(vmi, "status", "phase");
    if (!"Running".equals(phase) || KubeJson.deleting(vmi)) {
      return ApiStatus.webhookDenied(
          MIGRATION_WEBHOOK,
          List.of(
              Cause.invalid(
                  "spec.vmiName",
                  "Cannot migrate VMI \""
                      + vmiName
                      + "\": it is not running (phase "
                      + (phase == null ? "Pending" : phase)
                      + ")")));
    }
    for (ObjectNode other :
        store.list(
            ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION, namespace, null))) {
      String p = text(other, "status", "phase");
      if (vmiName.equals(text(other, "spec", "vmiName"))
          && !"Succeeded".equals(p)
          && !"Failed".equals(p)) {
        return ApiStatus.webhookDenied(
            MIGRATION_WEBHOOK,
            List.of(
                Cause.invalid(
                    "spec.vmiName",
                    "in-flight migration detected. Active migration job ("
                        + KubeJson.name(other)
                        + ") is currently already in progress for VMI "
                        + vmiName
                        + ".")));
      }
    }
    return null;
  }

  // ---- snapshots, restores, clones ----

  private static ObjectNode validateSnapshot(ObjectNode snap) {
    List<Cause> causes = new ArrayList<>();
    JsonNode source = at(snap, "spec", "source");
    if (!source.isObject()) {
      causes.add(Cause.required("spec.source", "missing source"));
    } else {
      if (!KubeVirtResource.KUBEVIRT.equals(text(source, "apiGroup"))) {
        causes.add(Cause.invalid("spec.source.apiGroup", "missing or invalid apiGroup"));
      }
      if (!"VirtualMachine".equals(text(source, "kind"))) {
        causes.add(Cause.invalid("spec.source.kind", "invalid kind"));
      }
      if (text(source, "name") == null) {
        causes.add(Cause.required("spec.source.name", "missing name"));
      }
    }
    return causes.isEmpty() ? null : ApiStatus.webhookDenied(SNAPSHOT_WEBHOOK, causes);
  }

  private ObjectNode validateRestore(ObjectNode restore, String namespace) {
    List<Cause> causes = new ArrayList<>();
    JsonNode target = at(restore, "spec", "target");
    String targetName = text(target, "name");
    if (!target.isObject() || targetName == null) {
      causes.add(Cause.required("spec.target", "missing target"));
    } else {
      if (!KubeVirtResource.KUBEVIRT.equals(text(target, "apiGroup"))) {
        causes.add(Cause.invalid("spec.target.apiGroup", "missing or invalid apiGroup"));
      }
      if (!"VirtualMachine".equals(text(target, "kind"))) {
        causes.add(Cause.invalid("spec.target.kind", "invalid kind"));
      }
    }
    String snapshotName = text(restore, "spec", "virtualMachineSnapshotName");
    if (snapshotName == null) {
      causes.add(
          Cause.required("spec.virtualMachineSnapshotName", "missing virtualMachineSnapshotName"));
    } else if (store.get(
            ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT, namespace, snapshotName))
        == null) {
      causes.add(
          Cause.invalid(
              "spec.virtualMachineSnapshotName",
              "VirtualMachineSnapshot \"" + snapshotName + "\" does not exist"));
    }
    String policy = text(restore, "spec", "targetReadinessPolicy");
    if (policy != null && !READINESS_POLICIES.contains(policy)) {
      causes.add(
          Cause.notSupported(
              "spec.targetReadinessPolicy", "Invalid targetReadinessPolicy (" + policy + ")"));
    }
    if (targetName != null) {
      for (ObjectNode other :
          store.list(ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_RESTORE, namespace, null))) {
        boolean done =
            at(other, "status", "complete").asBoolean(false)
                || KubeJson.conditionTrue(other, "Failure");
        if (targetName.equals(text(other, "spec", "target", "name")) && !done) {
          causes.add(
              Cause.invalid(
                  "spec.target",
                  "VirtualMachineRestore \"" + KubeJson.name(other) + "\" in progress"));
        }
      }
    }
    return causes.isEmpty() ? null : ApiStatus.webhookDenied(RESTORE_WEBHOOK, causes);
  }

  private ObjectNode validateClone(ObjectNode clone, String namespace) {
    List<Cause> causes = new ArrayList<>();
    JsonNode source = at(clone, "spec", "source");
    String sourceKind = text(source, "kind");
    String sourceName = text(source, "name");
    if (!source.isObject() || sourceName == null) {
      causes.add(Cause.required("spec.source", "Source cannot be nil"));
    } else if ("VirtualMachine".equals(sourceKind)) {
      if (store.get(ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE, namespace, sourceName)) == null) {
        causes.add(
            Cause.invalid("spec.source.name", "Source VM " + sourceName + " does not exist"));
      }
    } else if ("VirtualMachineSnapshot".equals(sourceKind)) {
      if (!discovery.serves(KubeVirtResource.SNAPSHOT)
          || store.get(ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT, namespace, sourceName))
              == null) {
        causes.add(
            Cause.invalid(
                "spec.source.name",
                "Source VirtualMachineSnapshot " + sourceName + " does not exist"));
      }
    } else {
      causes.add(
          Cause.notSupported(
              "spec.source.kind", "clone source kind " + sourceKind + " is not supported"));
    }
    JsonNode target = at(clone, "spec", "target");
    String targetKind = text(target, "kind");
    String targetName = text(target, "name");
    if (targetKind != null && !"VirtualMachine".equals(targetKind)) {
      causes.add(
          Cause.notSupported(
              "spec.target.kind", "clone target kind " + targetKind + " is not supported"));
    }
    if (targetName != null
        && "VirtualMachine".equals(sourceKind)
        && targetName.equals(sourceName)) {
      causes.add(Cause.invalid("spec.target.name", "Target name cannot be equal to source name"));
    }
    if (targetName != null
        && !(targetName.length() <= 63 && DNS_LABEL.matcher(targetName).matches())) {
      causes.add(
          Cause.invalid(
              "spec.target.name", "Invalid value: \"" + targetName + "\": " + LABEL_MESSAGE));
    }
    return causes.isEmpty() ? null : ApiStatus.webhookDenied(CLONE_WEBHOOK, causes);
  }

  private static ObjectNode immutableSpec(String webhook, ObjectNode obj, ObjectNode old) {
    if (Objects.equals(at(obj, "spec"), at(old, "spec"))) {
      return null;
    }
    return ApiStatus.webhookDenied(
        webhook, List.of(Cause.invalid("spec", "spec is immutable after creation")));
  }

  private static ObjectNode validateInstancetype(ResourceType type, ObjectNode it) {
    List<Cause> causes = new ArrayList<>();
    JsonNode guest = at(it, "spec", "cpu", "guest");
    if (guest.isMissingNode() || guest.isNull()) {
      causes.add(Cause.required("spec.cpu.guest", "Required value"));
    } else if (!guest.isIntegralNumber() || guest.asLong() < 1) {
      causes.add(
          Cause.invalid(
              "spec.cpu.guest",
              "Invalid value: "
                  + guest
                  + ": spec.cpu.guest in body should be greater than or equal to 1"));
    }
    JsonNode memory = at(it, "spec", "memory", "guest");
    if (memory.isMissingNode() || memory.isNull()) {
      causes.add(Cause.required("spec.memory.guest", "Required value"));
    } else {
      checkQuantity(causes, at(it, "spec"), "spec", "memory", "guest");
    }
    return causes.isEmpty()
        ? null
        : ApiStatus.invalid(type.kind(), type.group(), KubeJson.name(it), causes);
  }
}
