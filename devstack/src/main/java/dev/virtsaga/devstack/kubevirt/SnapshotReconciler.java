package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Rule;
import dev.virtsaga.devstack.kubevirt.VirtController.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * VirtualMachineSnapshot, as KubeVirt's snapshot controller moves it: phase InProgress (the VM's
 * {@code status.snapshotInProgress} names it), then a VirtualMachineSnapshotContent {@code
 * vmsnapshot-content-<snapshot uid>} holding a copy of the VM (metadata and spec) and one volume
 * backup per volume, then phase Succeeded with {@code readyToUse: true} — one step each. A snapshot
 * still in progress after {@code spec.failureDeadline} (default 5m) fails.
 */
final class SnapshotReconciler {

  static final String FINALIZER = "snapshot.kubevirt.io/vmsnapshot-protection";
  private static final KubeVirtResource SNAPSHOT = KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT;
  private static final KubeVirtResource CONTENT = KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT_CONTENT;
  private static final KubeVirtResource VM = KubeVirtResource.VIRTUAL_MACHINE;
  private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s)");

  private final VirtController c;

  SnapshotReconciler(VirtController controller) {
    this.c = controller;
  }

  void reconcile(Key key) {
    String ns = key.namespace();
    ObjectNode snap = c.ops.get(SNAPSHOT, ns, key.name());
    if (snap == null) {
      return;
    }
    String vmName = text(snap, "spec", "source", "name");
    String phase = Objects.requireNonNullElse(text(snap, "status", "phase"), "");
    if (KubeJson.deleting(snap)) {
      releaseVm(ns, vmName, key.name());
      removeFinalizer(snap);
      return;
    }
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      releaseVm(ns, vmName, key.name());
      return;
    }
    if (!KubeJson.hasFinalizer(snap, FINALIZER)) {
      ObjectNode patch = KubeJson.object();
      ArrayNode finalizers = patch.putObject("metadata").putArray("finalizers");
      KubeJson.finalizers(snap).forEach(finalizers::add);
      finalizers.add(FINALIZER);
      snap = c.ops.mergePatch(SNAPSHOT, ns, key.name(), patch);
    }
    ObjectNode vm = c.ops.get(VM, ns, vmName);
    String uid = KubeJson.uid(snap);
    if (phase.isEmpty()) {
      ObjectNode next = snap.deepCopy();
      ObjectNode status = KubeJson.obj(next, "status");
      status.put("phase", "InProgress");
      status.put("readyToUse", false);
      status.putNull("creationTime");
      if (vm != null) {
        status.put("sourceUID", KubeJson.uid(vm));
        ArrayNode indications = status.putArray("indications");
        if (c.ops.get(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE, ns, vmName) != null) {
          indications.add("Online");
          indications.add("GuestAgent");
        }
        KubeJson.setCondition(
            next, "Progressing", "True", "Source locked and operation in progress", null);
        KubeJson.setCondition(next, "Ready", "False", "Not ready", null);
      } else {
        KubeJson.setCondition(next, "Progressing", "False", "Source does not exist", null);
        KubeJson.setCondition(next, "Ready", "False", "Source does not exist", null);
      }
      c.ops.updateStatus(SNAPSHOT, next);
      c.begin("snapshot:" + uid + ":content", key);
      if (vm != null && !key.name().equals(text(vm, "status", "snapshotInProgress"))) {
        ObjectNode v = vm.deepCopy();
        KubeJson.obj(v, "status").put("snapshotInProgress", key.name());
        c.ops.updateStatus(VM, v);
      }
      return;
    }
    Instant created = KubeJson.parseTime(text(snap, "metadata", "creationTimestamp"));
    Duration deadline =
        parseGoDuration(text(snap, "spec", "failureDeadline"), Duration.ofMinutes(5));
    if (created != null && !deadline.isZero() && Instant.now().isAfter(created.plus(deadline))) {
      fail(snap, vmName, "snapshot deadline exceeded");
      return;
    }
    Rule rule = c.faults.rule(Operation.SNAPSHOT, key.name(), vmName);
    if (vm == null || rule != null && !rule.fail()) {
      // waiting for the source, or stalled in progress: until the failure deadline
      if (created != null && !deadline.isZero()) {
        c.requeueAt(key, created.plus(deadline));
      }
      return;
    }
    String contentName = text(snap, "status", "virtualMachineSnapshotContentName");
    String step = contentName == null ? "content" : "ready";
    if (!c.elapsed("snapshot:" + uid + ":" + step, key)) {
      return;
    }
    if (rule != null && rule.fail()) {
      fail(
          snap,
          vmName,
          Objects.requireNonNullElse(
              rule.message(), "Failed to create snapshot content: the simulated storage refused"));
      return;
    }
    if (contentName == null) {
      contentName = "vmsnapshot-content-" + uid;
      if (c.ops.get(CONTENT, ns, contentName) == null) {
        createContent(snap, vm, contentName);
      }
      ObjectNode next = snap.deepCopy();
      KubeJson.obj(next, "status").put("virtualMachineSnapshotContentName", contentName);
      c.ops.updateStatus(SNAPSHOT, next);
      c.begin("snapshot:" + uid + ":ready", key);
      return;
    }
    ObjectNode next = snap.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    status.put("phase", "Succeeded");
    status.put("readyToUse", true);
    status.put("creationTime", KubeJson.now());
    ObjectNode volumes = status.putObject("snapshotVolumes");
    ArrayNode included = volumes.putArray("included");
    at(vm, "spec", "template", "spec", "volumes")
        .forEach(v -> included.add(v.path("name").asText()));
    KubeJson.setCondition(next, "Progressing", "False", "Operation complete", null);
    KubeJson.setCondition(next, "Ready", "True", "Operation complete", null);
    next = c.ops.updateStatus(SNAPSHOT, next);
    releaseVm(ns, vmName, key.name());
    c.ops.event(
        SNAPSHOT,
        next,
        "Normal",
        "SuccessfulVirtualMachineSnapshotContentCreate",
        "Successfully created VirtualMachineSnapshotContent " + contentName);
  }

  private void createContent(ObjectNode snap, ObjectNode vm, String contentName) {
    String ns = KubeJson.namespace(snap);
    ObjectNode content = KubeJson.object();
    content.put("apiVersion", CONTENT.apiVersion());
    content.put("kind", CONTENT.kind());
    ObjectNode meta = content.putObject("metadata");
    meta.put("name", contentName);
    meta.put("namespace", ns);
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    owner.put("apiVersion", SNAPSHOT.apiVersion());
    owner.put("kind", SNAPSHOT.kind());
    owner.put("name", KubeJson.name(snap));
    owner.put("uid", KubeJson.uid(snap));
    owner.put("controller", true);
    owner.put("blockOwnerDeletion", true);
    ObjectNode spec = content.putObject("spec");
    spec.put("virtualMachineSnapshotName", KubeJson.name(snap));
    ObjectNode copy = spec.putObject("source").putObject("virtualMachine");
    copy.put("apiVersion", VM.apiVersion());
    copy.put("kind", VM.kind());
    ObjectNode copyMeta = copy.putObject("metadata");
    JsonNode vmMeta = vm.path("metadata");
    for (String f :
        new String[] {"name", "namespace", "uid", "generation", "labels", "annotations"}) {
      if (vmMeta.has(f)) {
        copyMeta.set(f, vmMeta.get(f).deepCopy());
      }
    }
    copy.set("spec", vm.path("spec").deepCopy());
    ArrayNode backups = spec.putArray("volumeBackups");
    for (JsonNode v : at(vm, "spec", "template", "spec", "volumes")) {
      String volume = v.path("name").asText();
      ObjectNode b = backups.addObject();
      b.put("volumeName", volume);
      String claim =
          v.path("persistentVolumeClaim")
              .path("claimName")
              .asText(v.path("dataVolume").path("name").asText(volume));
      b.putObject("persistentVolumeClaim").putObject("metadata").put("name", claim);
      b.put("volumeSnapshotName", "vmsnapshot-" + KubeJson.uid(snap) + "-volume-" + volume);
    }
    ObjectNode created = c.ops.create(CONTENT, content);
    ObjectNode withStatus = created.deepCopy();
    ObjectNode status = KubeJson.obj(withStatus, "status");
    status.put("creationTime", KubeJson.now());
    status.put("readyToUse", true);
    c.ops.updateStatus(CONTENT, withStatus);
  }

  private void fail(ObjectNode snap, String vmName, String message) {
    ObjectNode next = snap.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    status.put("phase", "Failed");
    status.put("readyToUse", false);
    ObjectNode error = status.putObject("error");
    error.put("message", message);
    error.put("time", KubeJson.now());
    KubeJson.setCondition(next, "Progressing", "False", "Operation failed", null);
    KubeJson.setCondition(next, "Ready", "False", "Operation failed", null);
    KubeJson.setCondition(next, "Failure", "True", message, null);
    next = c.ops.updateStatus(SNAPSHOT, next);
    releaseVm(KubeJson.namespace(snap), vmName, KubeJson.name(snap));
    c.ops.event(SNAPSHOT, next, "Warning", "VirtualMachineSnapshotError", message);
  }

  /** Clears the VM's {@code status.snapshotInProgress} when it names this snapshot. */
  private void releaseVm(String ns, String vmName, String snapshot) {
    ObjectNode vm = c.ops.get(VM, ns, vmName);
    if (vm != null && snapshot.equals(text(vm, "status", "snapshotInProgress"))) {
      ObjectNode v = vm.deepCopy();
      KubeJson.obj(v, "status").remove("snapshotInProgress");
      c.ops.updateStatus(VM, v);
    }
  }

  private void removeFinalizer(ObjectNode snap) {
    if (!KubeJson.hasFinalizer(snap, FINALIZER)) {
      return;
    }
    ObjectNode patch = KubeJson.object();
    ArrayNode finalizers = patch.putObject("metadata").putArray("finalizers");
    KubeJson.finalizers(snap).stream().filter(f -> !f.equals(FINALIZER)).forEach(finalizers::add);
    c.ops.mergePatch(SNAPSHOT, KubeJson.namespace(snap), KubeJson.name(snap), patch);
  }

  /** A Go duration ({@code 5m}, {@code 1h30m}, {@code 90s}); {@code fallback} when absent. */
  static Duration parseGoDuration(String text, Duration fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    Matcher m = GO_DURATION.matcher(text);
    Duration d = Duration.ZERO;
    boolean any = false;
    while (m.find()) {
      any = true;
      double v = Double.parseDouble(m.group(1));
      long ms =
          switch (m.group(2)) {
            case "h" -> (long) (v * 3_600_000);
            case "m" -> (long) (v * 60_000);
            case "s" -> (long) (v * 1000);
            default -> (long) v;
          };
      d = d.plusMillis(ms);
    }
    return any ? d : fallback;
  }
}
