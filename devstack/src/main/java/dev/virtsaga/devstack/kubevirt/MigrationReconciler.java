package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Rule;
import dev.virtsaga.devstack.kubevirt.VirtController.Key;
import java.util.List;
import java.util.Objects;

/**
 * VirtualMachineInstanceMigration, as virt-controller's migration controller and the two
 * virt-handlers move it: phases Pending → Scheduling → Scheduled → PreparingTarget → TargetReady →
 * Running → Succeeded (one step each), mirrored in the VMI's {@code status.migrationState}; on
 * success the VMI's {@code status.nodeName} is the target node. Deleting a migration that has not
 * finished aborts it: {@code migrationState.abortRequested}, then {@code abortStatus} Aborting →
 * Succeeded, the VMI stays on its source node, the migration goes (finalizer removed).
 */
final class MigrationReconciler {

  static final String FINALIZER = "kubevirt.io/migrationJobFinalize";
  static final List<String> PHASES =
      List.of(
          "Pending",
          "Scheduling",
          "Scheduled",
          "PreparingTarget",
          "TargetReady",
          "Running",
          "Succeeded");
  private static final KubeVirtResource VMIM = KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION;
  private static final KubeVirtResource VMI = KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;

  private final VirtController c;

  MigrationReconciler(VirtController controller) {
    this.c = controller;
  }

  void reconcile(Key key) {
    ObjectNode vmim = c.ops.get(VMIM, key.namespace(), key.name());
    if (vmim == null) {
      return;
    }
    String uid = KubeJson.uid(vmim);
    String vmiName = text(vmim, "spec", "vmiName");
    String phase = Objects.requireNonNullElse(text(vmim, "status", "phase"), "");
    ObjectNode vmi = c.ops.get(VMI, key.namespace(), vmiName);
    boolean ours = vmi != null && uid.equals(text(vmi, "status", "migrationState", "migrationUid"));

    if (KubeJson.deleting(vmim)) {
      if (!isFinal(phase)
          && ours
          && !at(vmi, "status", "migrationState", "completed").asBoolean(false)) {
        abort(key, vmim, vmi);
        return;
      }
      removeFinalizer(vmim);
      return;
    }
    if (isFinal(phase)) {
      return;
    }
    if (!KubeJson.hasFinalizer(vmim, FINALIZER)
        || !vmiName.equals(text(vmim, "metadata", "labels", "kubevirt.io/vmi-name"))) {
      ObjectNode patch = KubeJson.object();
      ObjectNode meta = patch.putObject("metadata");
      ArrayNode finalizers = meta.putArray("finalizers");
      KubeJson.finalizers(vmim).stream().filter(f -> !f.equals(FINALIZER)).forEach(finalizers::add);
      finalizers.add(FINALIZER);
      meta.putObject("labels").put("kubevirt.io/vmi-name", vmiName);
      vmim = c.ops.mergePatch(VMIM, key.namespace(), key.name(), patch);
    }
    if (phase.isEmpty()) {
      writeStatus(vmim, "Pending", vmi, ours);
      c.begin("vmim:" + uid + ":Pending", key);
      return;
    }
    if (vmi == null || !"Running".equals(text(vmi, "status", "phase")) || KubeJson.deleting(vmi)) {
      fail(vmim, vmi, ours, "VMI " + vmiName + " is not running");
      return;
    }
    Rule rule = c.faults.rule(Operation.MIGRATION, key.name(), vmiName);
    if (rule != null
        && !rule.fail()
        && phase.equals(Objects.requireNonNullElse(rule.phase(), "Running"))) {
      return; // stalled
    }
    if (!c.elapsed("vmim:" + uid + ":" + phase, key)) {
      return;
    }
    if (rule != null && rule.fail() && phase.equals("Running")) {
      // injected failures strike during the transfer, as most real ones do
      fail(
          vmim,
          vmi,
          ours,
          Objects.requireNonNullElse(
              rule.message(),
              "Live migration failed: target virt-launcher pod exited unexpectedly"));
      return;
    }
    String next = PHASES.get(PHASES.indexOf(phase) + 1);
    if (!ours && !"Scheduling".equals(next)) {
      fail(vmim, vmi, false, "the VMI's migration state belongs to another migration");
      return;
    }
    ObjectNode v = vmi.deepCopy();
    ObjectNode status = KubeJson.obj(v, "status");
    ObjectNode state = ours ? KubeJson.obj(status, "migrationState") : null;
    switch (next) {
      case "Scheduling" -> {
        state = status.putObject("migrationState");
        state.put("migrationUid", uid);
        state.put("sourceNode", text(vmi, "status", "nodeName"));
        state.put("sourcePod", "virt-launcher-" + vmiName + "-" + Admission.randomSuffix());
        state.put("targetPod", "virt-launcher-" + vmiName + "-" + Admission.randomSuffix());
        state.put("mode", "PreCopy");
        state.put("completed", false);
        state.put("failed", false);
      }
      case "Scheduled" -> {
        List<ObjectNode> nodes = c.ops.nodes();
        String required = text(vmim, "spec", "addedNodeSelector", "kubernetes.io/hostname");
        String target =
            c.placement.pick(
                Placement.schedulable(nodes), text(vmi, "status", "nodeName"), required);
        if (target == null) {
          fail(
              vmim,
              vmi,
              ours,
              "target pod is unschedulable: 0/"
                  + nodes.size()
                  + " nodes are available: no other"
                  + " schedulable node matches the migration's node selector");
          return;
        }
        state.put("targetNode", target);
        String address = Placement.address(nodes, target);
        if (address != null) {
          state.put("targetNodeAddress", address);
        }
        KubeJson.obj(v, "metadata", "labels").put("kubevirt.io/migrationTargetNodeName", target);
      }
      case "PreparingTarget" -> state.put("targetNodeDomainDetected", false);
      case "TargetReady" -> {
        state.put("targetNodeDomainDetected", true);
        state.put("targetNodeDomainReadyTimestamp", KubeJson.now());
      }
      case "Running" -> state.put("startTimestamp", KubeJson.now());
      default -> { // Succeeded
        String target = text(state, "targetNode");
        state.put("completed", true);
        state.put("endTimestamp", KubeJson.now());
        status.put("nodeName", target);
        ObjectNode labels = KubeJson.obj(v, "metadata", "labels");
        labels.put("kubevirt.io/nodeName", target);
        labels.remove("kubevirt.io/migrationTargetNodeName");
        ObjectNode pods = status.putObject("activePods");
        pods.put(java.util.UUID.randomUUID().toString(), target);
      }
    }
    vmi = c.ops.update(VMI, v);
    writeStatus(vmim, next, vmi, true);
    c.begin("vmim:" + uid + ":" + next, key);
    if ("Succeeded".equals(next)) {
      c.ops.event(
          VMIM, vmim, "Normal", "SuccessfulMigration", "Source node reported migration succeeded");
    }
  }

  private void abort(Key key, ObjectNode vmim, ObjectNode vmi) {
    ObjectNode v = vmi.deepCopy();
    ObjectNode state = KubeJson.obj(v, "status", "migrationState");
    if (!state.path("abortRequested").asBoolean(false)) {
      state.put("abortRequested", true);
      state.put("abortStatus", "Aborting");
      c.ops.update(VMI, v);
      c.begin("vmim-abort:" + KubeJson.uid(vmim), key);
      return;
    }
    if (!c.elapsed("vmim-abort:" + KubeJson.uid(vmim), key)) {
      return;
    }
    state.put("abortStatus", "Succeeded");
    state.put("completed", true);
    state.put("failed", true);
    state.put("failureReason", "Live migration aborted");
    state.put("endTimestamp", KubeJson.now());
    KubeJson.obj(v, "metadata", "labels").remove("kubevirt.io/migrationTargetNodeName");
    ObjectNode updated = c.ops.update(VMI, v);
    ObjectNode next = vmim.deepCopy();
    setPhase(next, "Failed");
    KubeJson.obj(next, "status")
        .set("migrationState", at(updated, "status", "migrationState").deepCopy());
    next = c.ops.updateStatus(VMIM, next);
    c.ops.event(VMIM, next, "Normal", "SuccessfulAbortMigration", "Migration was aborted");
    removeFinalizer(next);
  }

  private void fail(ObjectNode vmim, ObjectNode vmi, boolean ours, String reason) {
    ObjectNode updated = vmi;
    if (vmi != null && ours) {
      ObjectNode v = vmi.deepCopy();
      ObjectNode state = KubeJson.obj(v, "status", "migrationState");
      state.put("completed", true);
      state.put("failed", true);
      state.put("failureReason", reason);
      state.put("endTimestamp", KubeJson.now());
      KubeJson.obj(v, "metadata", "labels").remove("kubevirt.io/migrationTargetNodeName");
      updated = c.ops.update(VMI, v);
    }
    ObjectNode next = vmim.deepCopy();
    setPhase(next, "Failed");
    KubeJson.setCondition(next, "Failed", "True", "MigrationFailed", reason);
    if (updated != null && ours) {
      KubeJson.obj(next, "status")
          .set("migrationState", at(updated, "status", "migrationState").deepCopy());
    }
    next = c.ops.updateStatus(VMIM, next);
    c.ops.event(VMIM, next, "Warning", "FailedMigration", reason);
  }

  private void writeStatus(ObjectNode vmim, String phase, ObjectNode vmi, boolean ours) {
    ObjectNode next = vmim.deepCopy();
    setPhase(next, phase);
    JsonNode state = vmi == null ? null : at(vmi, "status", "migrationState");
    if (ours && state != null && state.isObject()) {
      KubeJson.obj(next, "status").set("migrationState", state.deepCopy());
    }
    c.ops.updateStatus(VMIM, next);
  }

  private static void setPhase(ObjectNode vmim, String phase) {
    ObjectNode status = KubeJson.obj(vmim, "status");
    status.put("phase", phase);
    ObjectNode t = KubeJson.arr(status, "phaseTransitionTimestamps").addObject();
    t.put("phase", phase);
    t.put("phaseTransitionTimestamp", KubeJson.now());
  }

  private void removeFinalizer(ObjectNode vmim) {
    if (!KubeJson.hasFinalizer(vmim, FINALIZER)) {
      return;
    }
    ObjectNode patch = KubeJson.object();
    ArrayNode finalizers = patch.putObject("metadata").putArray("finalizers");
    KubeJson.finalizers(vmim).stream().filter(f -> !f.equals(FINALIZER)).forEach(finalizers::add);
    c.ops.mergePatch(VMIM, KubeJson.namespace(vmim), KubeJson.name(vmim), patch);
  }

  private static boolean isFinal(String phase) {
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }
}
