package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Rule;
import dev.virtsaga.devstack.kubevirt.VirtController.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * VirtualMachineClone, as KubeVirt's clone controller moves it: phase SnapshotInProgress (from a
 * VM: a snapshot {@code tmp-snapshot-<clone uid>} of it; from a VirtualMachineSnapshot: that one) →
 * RestoreInProgress (a restore {@code tmp-restore-<clone uid>} to the new VM, with JSON patches
 * that drop filtered labels and annotations, MAC addresses and the firmware serial and UUID) →
 * CreatingTargetVM → Succeeded, then the temporary snapshot and restore are deleted. The target VM
 * is created with run strategy Halted. A Succeeded clone is deleted when its target VM is.
 */
final class CloneReconciler {

  private static final KubeVirtResource CLONE = KubeVirtResource.VIRTUAL_MACHINE_CLONE;
  private static final KubeVirtResource VM = KubeVirtResource.VIRTUAL_MACHINE;
  private static final KubeVirtResource SNAPSHOT = KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT;
  private static final KubeVirtResource RESTORE = KubeVirtResource.VIRTUAL_MACHINE_RESTORE;

  private final VirtController c;

  CloneReconciler(VirtController controller) {
    this.c = controller;
  }

  void reconcile(Key key) {
    String ns = key.namespace();
    ObjectNode clone = c.ops.get(CLONE, ns, key.name());
    if (clone == null || KubeJson.deleting(clone)) {
      return;
    }
    String uid = KubeJson.uid(clone);
    String phase = Objects.requireNonNullElse(text(clone, "status", "phase"), "");
    String sourceKind = text(clone, "spec", "source", "kind");
    String sourceName = text(clone, "spec", "source", "name");
    String targetName = text(clone, "spec", "target", "name");
    boolean fromVm = "VirtualMachine".equals(sourceKind);

    if ("Succeeded".equals(phase)) {
      cleanup(clone, fromVm);
      if (c.ops.get(
              VM, ns, Objects.requireNonNullElse(text(clone, "status", "targetName"), targetName))
          == null) {
        c.ops.delete(CLONE, ns, key.name()); // its VM is gone
      }
      return;
    }
    if ("Failed".equals(phase)) {
      return;
    }
    if (phase.isEmpty()) {
      ObjectNode next = clone.deepCopy();
      KubeJson.obj(next, "status").put("phase", "SnapshotInProgress");
      KubeJson.obj(next, "status").put("creationTime", KubeJson.now());
      stillProcessing(next);
      c.ops.updateStatus(CLONE, next);
      c.begin("clone:" + uid + ":SnapshotInProgress", key);
      return;
    }
    Rule rule = c.faults.rule(Operation.CLONE, key.name(), sourceName);
    if (rule != null
        && !rule.fail()
        && phase.equals(Objects.requireNonNullElse(rule.phase(), "SnapshotInProgress"))) {
      return; // stalled
    }
    if (!c.elapsed("clone:" + uid + ":" + phase, key)) {
      return;
    }
    if (rule != null && rule.fail()) {
      fail(
          clone,
          "CloneFailed",
          Objects.requireNonNullElse(rule.message(), "the simulated clone failed"));
      return;
    }
    switch (phase) {
      case "SnapshotInProgress" -> snapshotPhase(key, clone, fromVm, sourceName);
      case "RestoreInProgress" -> restorePhase(key, clone, targetName);
      case "CreatingTargetVM" -> {
        String target = Objects.requireNonNullElse(text(clone, "status", "targetName"), targetName);
        if (c.ops.get(VM, ns, target) == null) {
          c.enqueue(key, 200);
          return;
        }
        ObjectNode next = clone.deepCopy();
        KubeJson.obj(next, "status").put("phase", "Succeeded");
        KubeJson.setCondition(next, "Progressing", "False", "Ready", null);
        KubeJson.setCondition(next, "Ready", "True", "Ready", null);
        next = c.ops.updateStatus(CLONE, next);
        c.ops.event(
            CLONE,
            next,
            "Normal",
            "TargetVMCreated",
            "created target VM " + target + " for clone " + key.name());
        cleanup(next, fromVm);
      }
      default -> {}
    }
  }

  private void snapshotPhase(Key key, ObjectNode clone, boolean fromVm, String sourceName) {
    String ns = key.namespace();
    String snapshotName;
    if (fromVm) {
      if (c.ops.get(VM, ns, sourceName) == null) {
        fail(
            clone,
            "SourceDoesNotExist",
            "VirtualMachine " + sourceName + " does not exist in namespace " + ns);
        return;
      }
      snapshotName = text(clone, "status", "snapshotName");
      if (snapshotName == null) {
        snapshotName = "tmp-snapshot-" + KubeJson.uid(clone);
        if (c.ops.get(SNAPSHOT, ns, snapshotName) == null) {
          ObjectNode snap = KubeJson.object();
          snap.put("apiVersion", SNAPSHOT.apiVersion());
          snap.put("kind", SNAPSHOT.kind());
          ObjectNode meta = snap.putObject("metadata");
          meta.put("name", snapshotName);
          meta.put("namespace", ns);
          ownedBy(meta, clone);
          ObjectNode source = snap.putObject("spec").putObject("source");
          source.put("apiGroup", KubeVirtResource.KUBEVIRT);
          source.put("kind", "VirtualMachine");
          source.put("name", sourceName);
          c.ops.create(SNAPSHOT, snap);
          c.ops.event(
              CLONE,
              clone,
              "Normal",
              "SnapshotCreated",
              "created snapshot " + snapshotName + " for clone " + key.name());
        }
        ObjectNode next = clone.deepCopy();
        KubeJson.obj(next, "status").put("snapshotName", snapshotName);
        c.ops.updateStatus(CLONE, next);
        return;
      }
    } else {
      snapshotName = sourceName;
    }
    ObjectNode snap = c.ops.get(SNAPSHOT, ns, snapshotName);
    if (snap == null) {
      fail(clone, "SnapshotDeleted", "snapshot " + snapshotName + " does not exist anymore");
      return;
    }
    if ("Failed".equals(text(snap, "status", "phase"))) {
      fail(
          clone,
          "SnapshotFailed",
          "snapshot " + snapshotName + " failed: " + text(snap, "status", "error", "message"));
      return;
    }
    if (!at(snap, "status", "readyToUse").asBoolean(false)) {
      return; // its changes requeue the clone
    }
    ObjectNode next = clone.deepCopy();
    KubeJson.obj(next, "status").put("phase", "RestoreInProgress");
    stillProcessing(next);
    c.ops.updateStatus(CLONE, next);
    c.begin("clone:" + KubeJson.uid(clone) + ":RestoreInProgress", key);
  }

  private void restorePhase(Key key, ObjectNode clone, String targetName) {
    String ns = key.namespace();
    boolean fromVm = "VirtualMachine".equals(text(clone, "spec", "source", "kind"));
    String snapshotName =
        fromVm ? text(clone, "status", "snapshotName") : text(clone, "spec", "source", "name");
    String restoreName = text(clone, "status", "restoreName");
    if (restoreName == null) {
      ObjectNode snap = c.ops.get(SNAPSHOT, ns, snapshotName);
      ObjectNode content =
          snap == null
              ? null
              : c.ops.get(
                  KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT_CONTENT,
                  ns,
                  text(snap, "status", "virtualMachineSnapshotContentName"));
      if (content == null) {
        fail(clone, "SnapshotDeleted", "snapshot " + snapshotName + " does not exist anymore");
        return;
      }
      if (c.ops.get(VM, ns, targetName) != null) {
        fail(
            clone,
            "RestoreCreationFailed",
            "restore source and restore target are different but restore target already exists");
        return;
      }
      restoreName = "tmp-restore-" + KubeJson.uid(clone);
      if (c.ops.get(RESTORE, ns, restoreName) == null) {
        ObjectNode restore = KubeJson.object();
        restore.put("apiVersion", RESTORE.apiVersion());
        restore.put("kind", RESTORE.kind());
        ObjectNode meta = restore.putObject("metadata");
        meta.put("name", restoreName);
        meta.put("namespace", ns);
        ownedBy(meta, clone);
        ObjectNode spec = restore.putObject("spec");
        ObjectNode target = spec.putObject("target");
        target.put("apiGroup", KubeVirtResource.KUBEVIRT);
        target.put("kind", "VirtualMachine");
        target.put("name", targetName);
        spec.put("virtualMachineSnapshotName", snapshotName);
        ArrayNode patches = spec.putArray("patches");
        patches(at(content, "spec", "source", "virtualMachine"), clone).forEach(patches::add);
        c.ops.create(RESTORE, restore);
        c.ops.event(
            CLONE,
            clone,
            "Normal",
            "RestoreCreated",
            "created restore " + restoreName + " for clone " + key.name());
      }
      ObjectNode next = clone.deepCopy();
      KubeJson.obj(next, "status").put("restoreName", restoreName);
      c.ops.updateStatus(CLONE, next);
      return;
    }
    ObjectNode restore = c.ops.get(RESTORE, ns, restoreName);
    if (restore == null) {
      fail(clone, "RestoreDeleted", "restore " + restoreName + " does not exist anymore");
      return;
    }
    if (KubeJson.conditionTrue(restore, "Failure")) {
      fail(
          clone,
          "RestoreFailed",
          "restore "
              + restoreName
              + " failed: "
              + text(KubeJson.condition(restore, "Failure"), "reason"));
      return;
    }
    if (!at(restore, "status", "complete").asBoolean(false)) {
      return; // its changes requeue the clone
    }
    ObjectNode next = clone.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    status.put("phase", "CreatingTargetVM");
    status.put("targetName", text(restore, "spec", "target", "name"));
    stillProcessing(next);
    c.ops.updateStatus(CLONE, next);
    c.begin("clone:" + KubeJson.uid(clone) + ":CreatingTargetVM", key);
  }

  /**
   * The JSON patches (as strings, like KubeVirt's restore {@code spec.patches}) that turn the
   * source VM into the clone: filtered labels and annotations removed, MAC addresses replaced (or
   * removed) and the firmware serial and UUID dropped.
   */
  static List<String> patches(JsonNode vm, ObjectNode clone) {
    List<String> out = new ArrayList<>();
    JsonNode spec = clone.path("spec");
    removeFiltered(
        out, vm.path("metadata").path("labels"), spec.path("labelFilters"), "/metadata/labels");
    JsonNode annotations = vm.path("metadata").path("annotations").deepCopy();
    if (annotations instanceof ObjectNode a) {
      a.remove(RestoreReconciler.LAST_RESTORE);
    }
    removeFiltered(out, annotations, spec.path("annotationFilters"), "/metadata/annotations");
    JsonNode template = at(vm, "spec", "template", "metadata");
    removeFiltered(
        out,
        template.path("labels"),
        at(spec, "template", "labelFilters"),
        "/spec/template/metadata/labels");
    removeFiltered(
        out,
        template.path("annotations"),
        at(spec, "template", "annotationFilters"),
        "/spec/template/metadata/annotations");
    JsonNode interfaces = at(vm, "spec", "template", "spec", "domain", "devices", "interfaces");
    for (int i = 0; i < interfaces.size(); i++) {
      JsonNode iface = interfaces.get(i);
      String path = "/spec/template/spec/domain/devices/interfaces/" + i + "/macAddress";
      String newMac = text(spec, "newMacAddresses", iface.path("name").asText());
      if (newMac != null) {
        out.add(op("add", path, newMac));
      } else if (iface.has("macAddress")) {
        out.add(op("remove", path, null));
      }
    }
    JsonNode firmware = at(vm, "spec", "template", "spec", "domain", "firmware");
    if (firmware.isObject()) {
      String serial = text(spec, "newSMBiosSerial");
      String base = "/spec/template/spec/domain/firmware";
      if (serial != null) {
        out.add(op("add", base + "/serial", serial));
      } else if (firmware.has("serial")) {
        out.add(op("remove", base + "/serial", null));
      }
      if (firmware.has("uuid")) {
        out.add(op("remove", base + "/uuid", null));
      }
    }
    return out;
  }

  /**
   * KubeVirt's filter rule: with no filters everything is kept; else a key is kept when it matches
   * a filter ({@code *} wildcards) and no negated ({@code !}) one.
   */
  private static void removeFiltered(
      List<String> out, JsonNode map, JsonNode filters, String base) {
    if (!filters.isArray() || !map.isObject()) {
      return;
    }
    List<Pattern> keep = new ArrayList<>();
    List<Pattern> drop = new ArrayList<>();
    for (JsonNode f : filters) {
      String text = f.asText();
      if (text.startsWith("!")) {
        drop.add(glob(text.substring(1)));
      } else {
        keep.add(glob(text));
      }
    }
    for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) map::fields) {
      String k = e.getKey();
      boolean kept =
          keep.stream().anyMatch(p -> p.matcher(k).matches())
              && drop.stream().noneMatch(p -> p.matcher(k).matches());
      if (!kept) {
        out.add(op("remove", base + "/" + k.replace("~", "~0").replace("/", "~1"), null));
      }
    }
  }

  private static Pattern glob(String filter) {
    StringBuilder b = new StringBuilder();
    String[] parts = filter.split("\\*", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        b.append(".*");
      }
      b.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(b.toString());
  }

  private static String op(String op, String path, String value) {
    ObjectNode o = KubeJson.object();
    o.put("op", op);
    o.put("path", path);
    if (value != null) {
      o.put("value", value);
    }
    return KubeJson.write(o);
  }

  private static void ownedBy(ObjectNode meta, ObjectNode clone) {
    ObjectNode ref = meta.putArray("ownerReferences").addObject();
    ref.put("apiVersion", CLONE.apiVersion());
    ref.put("kind", CLONE.kind());
    ref.put("name", KubeJson.name(clone));
    ref.put("uid", KubeJson.uid(clone));
    ref.put("controller", true);
    ref.put("blockOwnerDeletion", true);
  }

  private static void stillProcessing(ObjectNode clone) {
    KubeJson.setCondition(clone, "Progressing", "True", "Still processing", null);
    KubeJson.setCondition(clone, "Ready", "False", "Still processing", null);
  }

  private void fail(ObjectNode clone, String event, String message) {
    ObjectNode next = clone.deepCopy();
    KubeJson.obj(next, "status").put("phase", "Failed");
    KubeJson.setCondition(next, "Progressing", "False", "Failed", message);
    KubeJson.setCondition(next, "Ready", "False", "Failed", message);
    next = c.ops.updateStatus(CLONE, next);
    c.ops.event(CLONE, next, "Warning", event, message);
  }

  /** Deletes the temporary restore (and, for a clone of a VM, the temporary snapshot). */
  private void cleanup(ObjectNode clone, boolean fromVm) {
    String ns = KubeJson.namespace(clone);
    String restore = "tmp-restore-" + KubeJson.uid(clone);
    if (c.ops.get(RESTORE, ns, restore) != null) {
      c.ops.delete(RESTORE, ns, restore);
    }
    String snapshot = "tmp-snapshot-" + KubeJson.uid(clone);
    if (fromVm && c.ops.get(SNAPSHOT, ns, snapshot) != null) {
      c.ops.delete(SNAPSHOT, ns, snapshot);
    }
    if (text(clone, "status", "snapshotName") != null
        || text(clone, "status", "restoreName") != null) {
      ObjectNode next = clone.deepCopy();
      KubeJson.obj(next, "status").remove("snapshotName");
      KubeJson.obj(next, "status").remove("restoreName");
      c.ops.updateStatus(CLONE, next);
    }
  }
}
