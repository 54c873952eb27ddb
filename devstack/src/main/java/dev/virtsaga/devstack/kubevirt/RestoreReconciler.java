package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Rule;
import dev.virtsaga.devstack.kubevirt.VirtController.Key;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Instant;
import java.util.Objects;

/**
 * VirtualMachineRestore, as KubeVirt's restore controller moves it.
 *
 * <p>The target VM must not run (no VMI): otherwise the restore waits with conditions Progressing
 * and Ready False "Waiting for target to be ready" and an event RestoreTargetNotReady, and then,
 * per {@code spec.targetReadinessPolicy}: WaitGracePeriod (default) fails after the grace period
 * (KubeVirt: 5 minutes; {@link KubeVirtSimulator.Builder#restoreGracePeriod}) with condition
 * Failure "Restore target failed to be ready within ...", FailImmediate fails at once ("Restore
 * target not ready"), StopTarget stops the VM, WaitEventually waits.
 *
 * <p>Then (one step each): the VM's {@code status.restoreInProgress} names the restore and the
 * conditions say "Updating target spec"; the VM's spec becomes the snapshot's (keeping its current
 * run strategy) with annotation {@code restore.kubevirt.io/lastRestoreUID}; the restore is {@code
 * complete: true} with {@code restoreTime}. A target that does not exist is created from the
 * snapshot (with {@code spec.patches} applied and run strategy Halted), as clones use it. A target
 * that exists but is not the snapshot's source is refused, as in KubeVirt.
 */
final class RestoreReconciler {

  static final String FINALIZER = "snapshot.kubevirt.io/vmrestore-protection";
  static final String LAST_RESTORE = "restore.kubevirt.io/lastRestoreUID";
  private static final KubeVirtResource RESTORE = KubeVirtResource.VIRTUAL_MACHINE_RESTORE;
  private static final KubeVirtResource VM = KubeVirtResource.VIRTUAL_MACHINE;

  private final VirtController c;

  RestoreReconciler(VirtController controller) {
    this.c = controller;
  }

  void reconcile(Key key) {
    String ns = key.namespace();
    ObjectNode restore = c.ops.get(RESTORE, ns, key.name());
    if (restore == null) {
      return;
    }
    String targetName = text(restore, "spec", "target", "name");
    if (KubeJson.deleting(restore)) {
      releaseVm(ns, targetName, key.name());
      removeFinalizer(restore);
      return;
    }
    if (done(restore)) {
      releaseVm(ns, targetName, key.name());
      return;
    }
    if (!at(restore, "status").isObject()) {
      ObjectNode next = restore.deepCopy();
      KubeJson.obj(next, "status").put("complete", false);
      conditions(
          next, "True", "Initializing VirtualMachineRestore", "Initializing VirtualMachineRestore");
      c.ops.updateStatus(RESTORE, next);
      return;
    }
    ObjectNode vm = c.ops.get(VM, ns, targetName);
    restore = own(restore, vm);
    String snapshotName = text(restore, "spec", "virtualMachineSnapshotName");
    ObjectNode snapshot = c.ops.get(KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT, ns, snapshotName);
    if (snapshot == null || !at(snapshot, "status", "readyToUse").asBoolean(false)) {
      String why =
          snapshot == null
              ? "VirtualMachineSnapshot.snapshot.kubevirt.io \"" + snapshotName + "\" not found"
              : "VirtualMachineSnapshot " + snapshotName + " not ready";
      error(restore, why, false);
      c.enqueue(key, 1000);
      return;
    }
    ObjectNode content =
        c.ops.get(
            KubeVirtResource.VIRTUAL_MACHINE_SNAPSHOT_CONTENT,
            ns,
            text(snapshot, "status", "virtualMachineSnapshotContentName"));
    if (content == null) {
      error(restore, "VirtualMachineSnapshotContent of " + snapshotName + " not found", false);
      c.enqueue(key, 1000);
      return;
    }
    JsonNode source = at(content, "spec", "source", "virtualMachine");
    if (vm != null
        && c.ops.get(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE, ns, targetName) != null) {
      targetNotReady(key, restore, vm);
      return;
    }
    boolean restoredByUs =
        vm != null
            && (key.name() + "-" + KubeJson.uid(restore))
                .equals(text(vm, "metadata", "annotations", LAST_RESTORE));
    if (vm != null
        && !restoredByUs
        && !Objects.equals(KubeJson.uid(vm), text(source, "metadata", "uid"))) {
      error(
          restore,
          "restore source and restore target are different but restore target already exists",
          true);
      return;
    }
    Rule rule = c.faults.rule(Operation.RESTORE, key.name(), targetName);
    if (rule != null && !rule.fail()) {
      return; // stalled in progress
    }
    boolean updating =
        "Updating target spec".equals(text(KubeJson.condition(restore, "Progressing"), "reason"));
    if (!c.elapsed("restore:" + KubeJson.uid(restore) + ":" + updating, key)) {
      return;
    }
    if (rule != null && rule.fail()) {
      fail(
          restore,
          Objects.requireNonNullElse(
              rule.message(), "Failed to restore the target: the simulated storage refused"));
      return;
    }
    if (!updating) {
      if (vm != null && !key.name().equals(text(vm, "status", "restoreInProgress"))) {
        ObjectNode v = vm.deepCopy();
        KubeJson.obj(v, "status").put("restoreInProgress", key.name());
        c.ops.updateStatus(VM, v);
      }
      ObjectNode next = restore.deepCopy();
      conditions(next, "True", "Updating target spec", "Waiting for target update");
      c.ops.updateStatus(RESTORE, next);
      c.begin("restore:" + KubeJson.uid(restore) + ":true", key);
      return;
    }
    if (vm == null) {
      createTarget(restore, source, ns, targetName);
    } else if (!restoredByUs) {
      ObjectNode v = vm.deepCopy();
      ObjectNode spec = source.path("spec").deepCopy();
      // keep how the target runs now (it is stopped): only the definition is restored
      spec.remove("running");
      spec.remove("runStrategy");
      if (vm.path("spec").has("runStrategy")) {
        spec.set("runStrategy", vm.path("spec").get("runStrategy"));
      }
      if (vm.path("spec").has("running")) {
        spec.set("running", vm.path("spec").get("running"));
      }
      v.set("spec", spec);
      KubeJson.obj(v, "metadata", "annotations")
          .put(LAST_RESTORE, key.name() + "-" + KubeJson.uid(restore));
      c.ops.update(VM, v);
    }
    ObjectNode next = restore.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    status.put("complete", true);
    status.put("restoreTime", KubeJson.now());
    status.putArray("restores");
    conditions(next, "False", "Operation complete", null);
    KubeJson.setCondition(next, "Ready", "True", "Operation complete", null);
    next = c.ops.updateStatus(RESTORE, next);
    releaseVm(ns, targetName, key.name());
    c.ops.event(
        RESTORE,
        next,
        "Normal",
        "VirtualMachineRestoreComplete",
        "Successfully completed VirtualMachineRestore " + key.name());
  }

  private void createTarget(ObjectNode restore, JsonNode source, String ns, String targetName) {
    ObjectNode vm = KubeJson.object();
    vm.put("apiVersion", VM.apiVersion());
    vm.put("kind", VM.kind());
    ObjectNode meta = vm.putObject("metadata");
    meta.put("name", targetName);
    meta.put("namespace", ns);
    if (source.path("metadata").has("labels")) {
      meta.set("labels", source.path("metadata").get("labels").deepCopy());
    }
    ObjectNode annotations =
        source.path("metadata").has("annotations")
            ? (ObjectNode) source.path("metadata").get("annotations").deepCopy()
            : KubeJson.object();
    meta.set("annotations", annotations);
    ObjectNode spec = source.path("spec").deepCopy();
    spec.remove("running");
    spec.put("runStrategy", VmSpecs.HALTED);
    vm.set("spec", spec);
    ArrayNode ops = KubeJson.array();
    for (JsonNode p : at(restore, "spec", "patches")) {
      ObjectNode op = KubeJson.parseObject(p.asText());
      if (op != null) {
        ops.add(op);
      }
    }
    JsonNode patched = ops.isEmpty() ? vm : JsonPatch.apply(ops, vm);
    ObjectNode target = (ObjectNode) patched;
    KubeJson.obj(target, "metadata", "annotations")
        .put(LAST_RESTORE, KubeJson.name(restore) + "-" + KubeJson.uid(restore));
    KubeJson.obj(target, "metadata").put("name", targetName);
    KubeJson.obj(target, "metadata").put("namespace", ns);
    c.ops.create(VM, target);
  }

  private void targetNotReady(Key key, ObjectNode restore, ObjectNode vm) {
    String policy =
        Objects.requireNonNullElse(
            text(restore, "spec", "targetReadinessPolicy"), "WaitGracePeriod");
    ObjectNode next = restore.deepCopy();
    String reason = "Waiting for target to be ready";
    boolean first = !reason.equals(text(KubeJson.condition(restore, "Progressing"), "reason"));
    conditions(next, "False", reason, reason);
    Instant created = KubeJson.parseTime(text(restore, "metadata", "creationTimestamp"));
    switch (policy) {
      case "StopTarget" -> {
        if (!VmSpecs.HALTED.equals(VmSpecs.runStrategy(vm))) {
          ObjectNode patch = KubeJson.object();
          ObjectNode spec = patch.putObject("spec");
          if (VmSpecs.usesRunning(vm)) {
            spec.put("running", false);
          } else {
            spec.put("runStrategy", VmSpecs.HALTED);
          }
          c.ops.mergePatch(VM, KubeJson.namespace(vm), KubeJson.name(vm), patch);
        }
      }
      case "FailImmediate" -> failConditions(next, "Restore target not ready");
      case "WaitEventually" -> {}
      default -> {
        Instant deadline = created == null ? Instant.now() : created.plus(c.restoreGracePeriod);
        if (Instant.now().isAfter(deadline)) {
          failConditions(
              next, "Restore target failed to be ready within " + goDuration(c.restoreGracePeriod));
        } else {
          c.requeueAt(key, deadline);
        }
      }
    }
    if (!Objects.equals(next.path("status"), restore.path("status"))) {
      next = c.ops.updateStatus(RESTORE, next);
    }
    if (first) {
      c.ops.event(
          RESTORE, next, "Normal", "RestoreTargetNotReady", "Restore target VMI still exists");
    }
    if (KubeJson.conditionTrue(next, "Failure")) {
      c.ops.event(
          RESTORE,
          next,
          "Warning",
          "VirtualMachineRestoreError",
          "VirtualMachineRestore encountered error "
              + text(KubeJson.condition(next, "Failure"), "reason"));
    }
  }

  private static String goDuration(java.time.Duration d) {
    long s = d.getSeconds();
    return (s >= 3600 ? s / 3600 + "h" : "") + (s % 3600) / 60 + "m" + s % 60 + "s";
  }

  private ObjectNode own(ObjectNode restore, ObjectNode vm) {
    boolean owned = at(restore, "metadata", "ownerReferences").size() > 0;
    boolean finalized = KubeJson.hasFinalizer(restore, FINALIZER);
    if (finalized && (owned || vm == null)) {
      return restore;
    }
    ObjectNode patch = KubeJson.object();
    ObjectNode meta = patch.putObject("metadata");
    ArrayNode finalizers = meta.putArray("finalizers");
    KubeJson.finalizers(restore).stream()
        .filter(f -> !f.equals(FINALIZER))
        .forEach(finalizers::add);
    finalizers.add(FINALIZER);
    if (!owned && vm != null) {
      ObjectNode ref = meta.putArray("ownerReferences").addObject();
      ref.put("apiVersion", VM.apiVersion());
      ref.put("kind", VM.kind());
      ref.put("name", KubeJson.name(vm));
      ref.put("uid", KubeJson.uid(vm));
      ref.put("controller", true);
      ref.put("blockOwnerDeletion", true);
    }
    return c.ops.mergePatch(RESTORE, KubeJson.namespace(restore), KubeJson.name(restore), patch);
  }

  private static boolean done(ObjectNode restore) {
    return at(restore, "status", "complete").asBoolean(false)
        || KubeJson.conditionTrue(restore, "Failure");
  }

  private static void conditions(
      ObjectNode restore, String progressing, String reason, String readyReason) {
    KubeJson.setCondition(restore, "Progressing", progressing, reason, null);
    KubeJson.setCondition(
        restore, "Ready", "False", readyReason == null ? reason : readyReason, null);
  }

  private static void failConditions(ObjectNode restore, String message) {
    KubeJson.setCondition(restore, "Progressing", "False", "Operation failed", null);
    KubeJson.setCondition(restore, "Ready", "False", "Operation failed", null);
    KubeJson.setCondition(restore, "Failure", "True", message, null);
  }

  /** An error KubeVirt keeps retrying (or, with {@code terminal}, one it gets stuck on). */
  private void error(ObjectNode restore, String message, boolean event) {
    ObjectNode next = restore.deepCopy();
    conditions(next, "False", message, message);
    if (!Objects.equals(next.path("status"), restore.path("status"))) {
      next = c.ops.updateStatus(RESTORE, next);
      if (event) {
        c.ops.event(
            RESTORE,
            next,
            "Warning",
            "VirtualMachineRestoreError",
            "VirtualMachineRestore encountered error " + message);
      }
    }
  }

  private void fail(ObjectNode restore, String message) {
    ObjectNode next = restore.deepCopy();
    failConditions(next, message);
    next = c.ops.updateStatus(RESTORE, next);
    releaseVm(
        KubeJson.namespace(restore),
        text(restore, "spec", "target", "name"),
        KubeJson.name(restore));
    c.ops.event(
        RESTORE,
        next,
        "Warning",
        "VirtualMachineRestoreError",
        "VirtualMachineRestore encountered error " + message);
  }

  private void releaseVm(String ns, String vmName, String restore) {
    ObjectNode vm = c.ops.get(VM, ns, vmName);
    if (vm != null && restore.equals(text(vm, "status", "restoreInProgress"))) {
      ObjectNode v = vm.deepCopy();
      KubeJson.obj(v, "status").remove("restoreInProgress");
      c.ops.updateStatus(VM, v);
    }
  }

  private void removeFinalizer(ObjectNode restore) {
    if (!KubeJson.hasFinalizer(restore, FINALIZER)) {
      return;
    }
    ObjectNode patch = KubeJson.object();
    ArrayNode finalizers = patch.putObject("metadata").putArray("finalizers");
    KubeJson.finalizers(restore).stream()
        .filter(f -> !f.equals(FINALIZER))
        .forEach(finalizers::add);
    c.ops.mergePatch(RESTORE, KubeJson.namespace(restore), KubeJson.name(restore), patch);
  }
}
