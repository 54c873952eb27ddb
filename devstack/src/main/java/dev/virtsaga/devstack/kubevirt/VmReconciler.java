package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Operation;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.Rule;
import dev.virtsaga.devstack.kubevirt.KubeVirtFaults.StartFailure;
import dev.virtsaga.devstack.kubevirt.VirtController.Key;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A VirtualMachine and its VirtualMachineInstance, as virt-controller (VM and VMI controllers), the
 * scheduler and virt-handler move them.
 *
 * <pre>
 * VMI phase:   Pending → Scheduling → Scheduled → Running          (one step delay each)
 *              deleted: (Running) → Succeeded → gone               (one step)
 * VM printableStatus: Stopped → Provisioning (one step before the VMI is created)
 *              → Starting (VMI Pending..Scheduled) → Running [→ Paused] [→ Migrating]
 *              → Stopping (VMI marked for deletion) → Stopped;  Terminating (VM deleted)
 *              ErrorUnschedulable, CrashLoopBackOff (injected start failures)
 * </pre>
 *
 * Run strategies: Always (a VMI exists, recreated when it ends), RerunOnFailure (recreated only
 * when it failed), Manual (only by start/stop requests), Halted (no VMI), Once (started once, not
 * restarted). {@code status.stateChangeRequests} (from the start/stop/restart subresources) are
 * handled first.
 */
final class VmReconciler {

  static final String VM_FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
  static final String VMI_FINALIZER = "foregroundDeleteVirtualMachine";
  private static final KubeVirtResource VM = KubeVirtResource.VIRTUAL_MACHINE;
  private static final KubeVirtResource VMI = KubeVirtResource.VIRTUAL_MACHINE_INSTANCE;

  private final VirtController c;

  /** VMs (by uid) that are to start once (RerunOnFailure, Once) and have no VMI yet. */
  private final java.util.Set<String> pendingStarts = new java.util.HashSet<>();

  VmReconciler(VirtController controller) {
    this.c = controller;
  }

  /** What happened to the VM in this round, for its status. */
  private static final class Round {
    boolean provisioning;
    String failureReason;
    String failureMessage;
    boolean backoff;
  }

  void reconcile(Key key) {
    String ns = key.namespace();
    String name = key.name();
    ObjectNode vm = c.ops.get(VM, ns, name);
    ObjectNode vmi = c.ops.get(VMI, ns, name);
    if (vmi != null) {
      vmi = runVmi(key, vm, vmi);
    }
    if (vm == null) {
      if (vmi != null && ownedByVm(vmi) && !KubeJson.deleting(vmi)) {
        c.ops.delete(VMI, ns, name); // its VM is gone
      }
      return;
    }
    if (vmi != null && ownedByVm(vmi) && !ownedBy(vmi, vm) && !KubeJson.deleting(vmi)) {
      c.ops.delete(VMI, ns, name); // left over from an earlier VM of the same name
      return;
    }
    if (KubeJson.deleting(vm)) {
      terminate(vm, vmi);
      return;
    }
    if (!KubeJson.hasFinalizer(vm, VM_FINALIZER)) {
      ArrayNode finalizers = KubeJson.array();
      KubeJson.finalizers(vm).forEach(finalizers::add);
      finalizers.add(VM_FINALIZER);
      ObjectNode patch = KubeJson.object();
      patch.putObject("metadata").set("finalizers", finalizers);
      vm = c.ops.mergePatch(VM, ns, name, patch);
    }

    Round round = new Round();
    String rs = VmSpecs.runStrategy(vm);
    ArrayNode requests =
        at(vm, "status", "stateChangeRequests").deepCopy() instanceof ArrayNode a
            ? a
            : KubeJson.array();
    boolean requestsChanged = false;
    boolean vmiFinal = vmi != null && Subresources.isFinal(vmi);
    boolean vmiDeleting = vmi != null && KubeJson.deleting(vmi);

    if (requests.size() > 0) {
      JsonNode first = requests.get(0);
      String action = first.path("action").asText();
      if ("Stop".equals(action)) {
        String uid = text(first, "uid");
        if (vmi != null && (uid == null || uid.equals(KubeJson.uid(vmi)))) {
          if (!vmiDeleting) {
            stopVmi(key, vm, vmi, round);
          }
        } else {
          requests.remove(0);
          requestsChanged = true;
        }
      } else if ("Start".equals(action)) {
        if (vmi != null && !vmiFinal) {
          requests.remove(0);
          requestsChanged = true;
        } else if (vmi != null) {
          if (!vmiDeleting) {
            c.ops.delete(VMI, ns, name);
          }
        } else if (startVmi(key, vm, round)) {
          requests.remove(0);
          requestsChanged = true;
        }
      } else {
        requests.remove(0);
        requestsChanged = true;
      }
    } else {
      switch (rs) {
        case VmSpecs.HALTED -> {
          if (vmi != null && !vmiDeleting) {
            stopVmi(key, vm, vmi, round);
          }
        }
        case VmSpecs.ALWAYS, VmSpecs.RERUN_ON_FAILURE, VmSpecs.ONCE -> {
          boolean failed = vmiFinal && "Failed".equals(text(vmi, "status", "phase"));
          boolean restart =
              vmiFinal
                  && (rs.equals(VmSpecs.ALWAYS) || rs.equals(VmSpecs.RERUN_ON_FAILURE) && failed);
          if (restart && !vmiDeleting) {
            if (failed) {
              vm = recordStartFailure(vm, vmi);
            }
            c.ops.delete(VMI, ns, name);
          } else if (vmi == null) {
            String uid = KubeJson.uid(vm);
            if (!rs.equals(text(vm, "status", "runStrategy"))) {
              pendingStarts.add(uid); // newly of this strategy: start once
            }
            boolean failedBefore = at(vm, "status", "startFailure").isObject();
            boolean start =
                rs.equals(VmSpecs.ALWAYS)
                    || pendingStarts.contains(uid)
                    || failedBefore && rs.equals(VmSpecs.RERUN_ON_FAILURE);
            if (start && startVmi(key, vm, round)) {
              pendingStarts.remove(uid);
            }
          }
        }
        default -> {} // Manual: only requests start and stop it
      }
    }
    writeStatus(key, vm, c.ops.get(VMI, ns, name), rs, requestsChanged ? requests : null, round);
  }

  // ---- the VMI: scheduler and virt-handler ----

  /** Moves the VMI one step; returns it as it is now (null when it is gone). */
  private ObjectNode runVmi(Key key, ObjectNode vm, ObjectNode vmi) {
    String name = KubeJson.name(vmi);
    String uid = KubeJson.uid(vmi);
    String phase = Objects.requireNonNullElse(text(vmi, "status", "phase"), "");
    if (KubeJson.deleting(vmi)) {
      if (!Subresources.isFinal(vmi)) {
        Rule stop = c.faults.rule(Operation.STOP, name);
        if (stop != null && !stop.fail()) {
          return vmi; // stalled while stopping
        }
        if (!c.elapsed("vmi-stop:" + uid, key)) {
          return vmi;
        }
        ObjectNode next = vmi.deepCopy();
        setPhase(next, "Succeeded");
        KubeJson.setCondition(
            next, "Ready", "False", "PodTerminating", "virt-launcher pod is terminating");
        vmi = c.ops.update(VMI, next);
      }
      ObjectNode patch = KubeJson.object();
      patch.putObject("metadata").putArray("finalizers");
      c.ops.mergePatch(VMI, KubeJson.namespace(vmi), name, patch);
      return null;
    }
    if (Subresources.isFinal(vmi) || "Running".equals(phase)) {
      return vmi;
    }
    Rule start = c.faults.rule(Operation.START, name);
    boolean stall = start != null && !start.fail();
    String stallAt = stall ? Objects.requireNonNullElse(start.phase(), "Scheduling") : null;
    if (phase.equals(stallAt)) {
      return vmi;
    }
    ObjectNode next = vmi.deepCopy();
    switch (phase) {
      case "" -> setPhase(next, "Pending");
      case "Pending" -> {
        if (!c.elapsed("vmi:" + uid + ":Pending", key)) {
          return vmi;
        }
        setPhase(next, "Scheduling");
      }
      case "Scheduling" -> {
        if (start != null && start.fail() && start.startFailure() == StartFailure.UNSCHEDULABLE) {
          if (KubeJson.condition(vmi, "PodScheduled") != null) {
            return vmi;
          }
          int nodes = c.ops.nodes().size();
          KubeJson.setCondition(
              next,
              "PodScheduled",
              "False",
              "Unschedulable",
              Objects.requireNonNullElse(
                  start.message(),
                  "0/"
                      + nodes
                      + " nodes are available: "
                      + nodes
                      + " Insufficient memory."
                      + " preemption: 0/"
                      + nodes
                      + " nodes are available: "
                      + nodes
                      + " No preemption victims found for incoming pod."));
          return c.ops.update(VMI, next);
        }
        if (!c.elapsed("vmi:" + uid + ":Scheduling", key)) {
          return vmi;
        }
        List<ObjectNode> nodes = c.ops.nodes();
        // the scheduler honours the VMI's nodeSelector on the node's hostname label
        String node =
            c.placement.pick(
                Placement.schedulable(nodes),
                null,
                KubeJson.text(vmi, "spec", "nodeSelector", "kubernetes.io/hostname"));
        if (node == null) {
          if (KubeJson.condition(vmi, "PodScheduled") == null) {
            KubeJson.setCondition(
                next,
                "PodScheduled",
                "False",
                "Unschedulable",
                "0/"
                    + nodes.size()
                    + " nodes are available: "
                    + nodes.size()
                    + " node(s) were unschedulable.");
            return c.ops.update(VMI, next);
          }
          c.enqueue(key, 500);
          return vmi;
        }
        KubeJson.removeCondition(next, "PodScheduled");
        setPhase(next, "Scheduled");
        ObjectNode status = KubeJson.obj(next, "status");
        status.put("nodeName", node);
        KubeJson.obj(next, "metadata", "labels").put("kubevirt.io/nodeName", node);
        ObjectNode pods = status.putObject("activePods");
        pods.put(java.util.UUID.randomUUID().toString(), node);
      }
      case "Scheduled" -> {
        if (!c.elapsed("vmi:" + uid + ":Scheduled", key)) {
          return vmi;
        }
        if (start != null && start.fail() && start.startFailure() == StartFailure.CRASH_LOOP) {
          setPhase(next, "Failed");
          KubeJson.setCondition(
              next,
              "Ready",
              "False",
              "PodFailed",
              Objects.requireNonNullElse(
                  start.message(), "virt-launcher crashed: the guest failed to boot"));
          break;
        }
        running(next, vm);
      }
      default -> {
        return vmi;
      }
    }
    ObjectNode updated = c.ops.update(VMI, next);
    c.begin("vmi:" + uid + ":" + text(next, "status", "phase"), key);
    return updated;
  }

  private void running(ObjectNode vmi, ObjectNode vm) {
    String ns = KubeJson.namespace(vmi);
    String name = KubeJson.name(vmi);
    setPhase(vmi, "Running");
    ObjectNode status = KubeJson.obj(vmi, "status");
    ArrayNode interfaces = status.putArray("interfaces");
    JsonNode spec = vmi.path("spec");
    JsonNode declared = at(spec, "domain", "devices", "interfaces");
    int count = Math.max(1, declared.size());
    for (int i = 0; i < count; i++) {
      JsonNode d = declared.path(i);
      ObjectNode iface = interfaces.addObject();
      iface.put("name", d.path("name").asText("default"));
      iface.put("interfaceName", "eth" + i);
      String mac = d.path("macAddress").asText("");
      iface.put("mac", mac.isEmpty() ? Placement.mac(ns, name, i) : mac);
      if (i == 0) {
        String ip = c.placement.ip(ns, name);
        iface.put("ipAddress", ip);
        iface.putArray("ipAddresses").add(ip);
      }
      iface.put("infoSource", "domain, guest-agent");
      iface.put("queueCount", 1);
      iface.put("linkState", "up");
    }
    int[] topology = VmSpecs.topology(spec);
    ObjectNode cpu = status.putObject("currentCPUTopology");
    cpu.put("sockets", topology[0]);
    cpu.put("cores", topology[1]);
    cpu.put("threads", topology[2]);
    JsonNode memory = VmSpecs.guestMemory(spec);
    if (memory != null) {
      ObjectNode m = status.putObject("memory");
      m.set("guestAtBoot", memory.deepCopy());
      m.set("guestCurrent", memory.deepCopy());
      m.set("guestRequested", memory.deepCopy());
    }
    status.putObject("machine").put("type", "pc-q35-rhel9.4.0");
    status.put("qosClass", "Burstable");
    status.put("migrationMethod", "LiveMigration");
    status.put("migrationTransport", "Unix");
    status.put(
        "launcherContainerImageVersion",
        "quay.io/kubevirt/virt-launcher:" + Discovery.KUBEVIRT_VERSION);
    ObjectNode guest = status.putObject("guestOSInfo");
    guest.put("id", "fedora");
    guest.put("name", "Fedora Linux");
    guest.put("prettyName", "Fedora Linux 40 (Cloud Edition)");
    guest.put("version", "40");
    guest.put("versionId", "40");
    guest.put("kernelRelease", "6.8.5-301.fc40.x86_64");
    KubeJson.setCondition(vmi, "Ready", "True", null, null);
    KubeJson.setCondition(vmi, "LiveMigratable", "True", null, null);
    KubeJson.setCondition(vmi, "AgentConnected", "True", null, null);
  }

  private static void setPhase(ObjectNode vmi, String phase) {
    ObjectNode status = KubeJson.obj(vmi, "status");
    status.put("phase", phase);
    ObjectNode t = KubeJson.arr(status, "phaseTransitionTimestamps").addObject();
    t.put("phase", phase);
    t.put("phaseTransitionTimestamp", KubeJson.now());
  }

  // ---- starting and stopping ----

  /** Creates the VM's VMI after a provisioning step; false while waiting (or failing). */
  private boolean startVmi(Key key, ObjectNode vm, Round round) {
    String uid = KubeJson.uid(vm);
    if (KubeJson.has(vm, "status", "restoreInProgress")) {
      return false; // KubeVirt does not start a VM while a restore rewrites it
    }
    Instant retryAfter =
        KubeJson.parseTime(text(vm, "status", "startFailure", "retryAfterTimestamp"));
    if (retryAfter != null && Instant.now().isBefore(retryAfter)) {
      round.backoff = true;
      c.requeueAt(key, retryAfter);
      return false;
    }
    Rule start = c.faults.rule(Operation.START, key.name());
    if (start != null && !start.fail() && "Provisioning".equals(start.phase())) {
      round.provisioning = true;
      return false;
    }
    JsonNode instancetype = null;
    JsonNode preference = null;
    if (at(vm, "spec", "instancetype").isObject()) {
      instancetype = matcher(vm, false);
      if (instancetype == null) {
        round.failureReason = "FailedCreate";
        round.failureMessage =
            "Failure to find instancetype: "
                + VmSpecs.matcherResource(at(vm, "spec", "instancetype"), false)
                + " \""
                + text(vm, "spec", "instancetype", "name")
                + "\" not found";
        c.enqueue(key, 1000);
        return false;
      }
    }
    if (at(vm, "spec", "preference").isObject()) {
      preference = matcher(vm, true);
    }
    if (!c.elapsed("vm-provision:" + uid, key)) {
      round.provisioning = true;
      return false;
    }
    c.resetClock("vm-provision:" + uid);
    ObjectNode vmi = KubeJson.object();
    vmi.put("apiVersion", VMI.apiVersion());
    vmi.put("kind", VMI.kind());
    ObjectNode meta = vmi.putObject("metadata");
    meta.put("name", key.name());
    meta.put("namespace", key.namespace());
    JsonNode templateMeta = at(vm, "spec", "template", "metadata");
    ObjectNode labels = meta.putObject("labels");
    templateMeta
        .path("labels")
        .fields()
        .forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
    ObjectNode annotations = meta.putObject("annotations");
    templateMeta
        .path("annotations")
        .fields()
        .forEachRemaining(e -> annotations.set(e.getKey(), e.getValue()));
    annotations.put("kubevirt.io/latest-observed-api-version", "v1");
    annotations.put("kubevirt.io/storage-observed-api-version", "v1");
    annotations.put("kubevirt.io/vm-generation", at(vm, "metadata", "generation").asText("1"));
    ObjectNode owner = meta.putArray("ownerReferences").addObject();
    owner.put("apiVersion", VM.apiVersion());
    owner.put("kind", VM.kind());
    owner.put("name", key.name());
    owner.put("uid", uid);
    owner.put("controller", true);
    owner.put("blockOwnerDeletion", true);
    meta.putArray("finalizers").add(VMI_FINALIZER);
    vmi.set("spec", VmSpecs.expand(vm, instancetype, preference));
    setPhase(vmi, "Pending");
    KubeJson.obj(vmi, "status").put("qosClass", "Burstable");
    ObjectNode created = c.ops.create(VMI, vmi);
    c.begin("vmi:" + KubeJson.uid(created) + ":Pending", key);
    c.ops.event(
        VM,
        vm,
        "Normal",
        "SuccessfulCreate",
        "Started the virtual machine by creating the new virtual machine instance " + key.name());
    return created != null;
  }

  private JsonNode matcher(ObjectNode vm, boolean preference) {
    JsonNode m = at(vm, "spec", preference ? "preference" : "instancetype");
    String kind = text(m, "kind");
    KubeVirtResource r;
    if (preference) {
      r =
          VmSpecs.PREFERENCE_KIND.equals(kind)
              ? KubeVirtResource.VIRTUAL_MACHINE_PREFERENCE
              : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_PREFERENCE;
    } else {
      r =
          VmSpecs.INSTANCETYPE_KIND.equals(kind)
              ? KubeVirtResource.VIRTUAL_MACHINE_INSTANCETYPE
              : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE;
    }
    if (!c.discovery.serves(r)) {
      return null;
    }
    return c.ops.get(r, KubeJson.namespace(vm), text(m, "name"));
  }

  /** Deletes the VMI (it then stops); an injected stop failure leaves it running. */
  private void stopVmi(Key key, ObjectNode vm, ObjectNode vmi, Round round) {
    Rule stop = c.faults.rule(Operation.STOP, key.name());
    if (stop != null && stop.fail()) {
      round.failureReason = "FailedDelete";
      round.failureMessage =
          Objects.requireNonNullElse(
              stop.message(), "Failure while deleting the VMI: the virtual machine did not stop");
      return;
    }
    c.ops.delete(VMI, key.namespace(), key.name());
    c.begin("vmi-stop:" + KubeJson.uid(vmi), key);
    c.ops.event(
        VM,
        vm,
        "Normal",
        "SuccessfulDelete",
        "Stopped the virtual machine by deleting the virtual machine instance "
            + KubeJson.uid(vmi));
  }

  private ObjectNode recordStartFailure(ObjectNode vm, ObjectNode vmi) {
    ObjectNode next = vm.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    int count = at(vm, "status", "startFailure", "consecutiveFailCount").asInt(0) + 1;
    ObjectNode failure = status.putObject("startFailure");
    failure.put("consecutiveFailCount", count);
    failure.put("lastFailedVMIUID", KubeJson.uid(vmi));
    long backoffMs = c.faults.stepDelay().toMillis() * Math.min(1L << Math.min(count, 5), 32L);
    failure.put(
        "retryAfterTimestamp",
        KubeJson.format(Instant.now().plus(Duration.ofMillis(Math.max(backoffMs, 1000)))));
    return c.ops.updateStatus(VM, next);
  }

  private void terminate(ObjectNode vm, ObjectNode vmi) {
    String ns = KubeJson.namespace(vm);
    String name = KubeJson.name(vm);
    if (vmi != null) {
      if (!KubeJson.deleting(vmi)) {
        c.ops.delete(VMI, ns, name);
      }
      if (!"Terminating".equals(text(vm, "status", "printableStatus"))) {
        ObjectNode next = vm.deepCopy();
        KubeJson.obj(next, "status").put("printableStatus", "Terminating");
        c.ops.updateStatus(VM, next);
      }
      return;
    }
    if (KubeJson.hasFinalizer(vm, VM_FINALIZER)) {
      ArrayNode finalizers = KubeJson.array();
      KubeJson.finalizers(vm).stream()
          .filter(f -> !f.equals(VM_FINALIZER))
          .forEach(finalizers::add);
      ObjectNode patch = KubeJson.object();
      patch.putObject("metadata").set("finalizers", finalizers);
      c.ops.mergePatch(VM, ns, name, patch);
    }
  }

  // ---- status ----

  private void writeStatus(
      Key key, ObjectNode vm, ObjectNode vmi, String rs, ArrayNode requests, Round round) {
    ObjectNode next = vm.deepCopy();
    ObjectNode status = KubeJson.obj(next, "status");
    if (requests != null) {
      if (requests.isEmpty()) {
        status.remove("stateChangeRequests");
      } else {
        status.set("stateChangeRequests", requests);
      }
    }
    boolean exists = vmi != null;
    boolean deleting = exists && KubeJson.deleting(vmi);
    boolean isFinal = exists && Subresources.isFinal(vmi);
    String phase = exists ? text(vmi, "status", "phase") : null;
    boolean running = "Running".equals(phase) && !deleting;
    boolean stopRequested =
        exists
            && at(status, "stateChangeRequests").size() > 0
            && "Stop".equals(at(status, "stateChangeRequests").path(0).path("action").asText());
    JsonNode migration = exists ? at(vmi, "status", "migrationState") : null;
    boolean migrating =
        migration != null && migration.isObject() && !migration.path("completed").asBoolean(false);

    if (running && at(status, "startFailure").isObject()) {
      status.remove("startFailure");
    }
    boolean crashLoop = at(status, "startFailure").isObject() && (!exists || isFinal || deleting);

    String printable;
    if (exists && (deleting || stopRequested && running) && !isFinal) {
      printable = "Stopping";
    } else if (migrating && running) {
      printable = "Migrating";
    } else if (running && KubeJson.conditionTrue(vmi, "Paused")) {
      printable = "Paused";
    } else if (running) {
      printable = "Running";
    } else if (exists && !isFinal && isUnschedulable(vmi)) {
      printable = "ErrorUnschedulable";
    } else if (crashLoop || round.backoff) {
      printable = "CrashLoopBackOff";
    } else if (exists && !isFinal) {
      printable = "Starting";
    } else if (round.provisioning) {
      printable = "Provisioning";
    } else {
      printable = "Stopped";
    }
    status.put("printableStatus", printable);
    status.put("created", exists && !isFinal);
    status.put("ready", running && KubeJson.conditionTrue(vmi, "Ready"));
    status.put("runStrategy", rs);
    long generation = at(vm, "metadata", "generation").asLong(1);
    status.put("desiredGeneration", generation);
    status.put(
        "observedGeneration",
        exists
            ? at(vmi, "metadata", "annotations", "kubevirt.io/vm-generation").asLong(generation)
            : generation);

    // Conditions: the VMI's, mirrored, plus the VM's own.
    if (!exists) {
      KubeJson.setCondition(next, "Ready", "False", "VMINotExists", "VMI does not exist");
    } else if (KubeJson.condition(vmi, "Ready") != null) {
      ObjectNode ready = KubeJson.condition(vmi, "Ready");
      KubeJson.setCondition(
          next,
          "Ready",
          ready.path("status").asText(),
          text(ready, "reason"),
          text(ready, "message"));
    } else {
      KubeJson.setCondition(
          next, "Ready", "False", "GuestNotRunning", "Guest VM is not reported as running");
    }
    for (String type : List.of("Paused", "LiveMigratable", "AgentConnected", "PodScheduled")) {
      ObjectNode cond = exists && !isFinal ? KubeJson.condition(vmi, type) : null;
      if (cond == null) {
        KubeJson.removeCondition(next, type);
      } else {
        KubeJson.setCondition(
            next, type, cond.path("status").asText(), text(cond, "reason"), text(cond, "message"));
      }
    }
    if (round.failureReason != null) {
      KubeJson.setCondition(next, "Failure", "True", round.failureReason, round.failureMessage);
    } else {
      KubeJson.removeCondition(next, "Failure");
    }
    if (exists && !isFinal && !deleting && restartRequired(vm, vmi)) {
      KubeJson.setCondition(
          next,
          "RestartRequired",
          "True",
          "NonLiveUpdatableFieldsChanged",
          "a non-live-updatable field was changed in the template spec");
    } else {
      KubeJson.removeCondition(next, "RestartRequired");
    }
    if (!Objects.equals(next.path("status"), vm.path("status"))) {
      c.ops.updateStatus(VM, next);
    }
  }

  private static boolean isUnschedulable(ObjectNode vmi) {
    ObjectNode cond = KubeJson.condition(vmi, "PodScheduled");
    return cond != null
        && "False".equals(cond.path("status").asText())
        && "Unschedulable".equals(cond.path("reason").asText());
  }

  /** Whether the VM's template (with its instancetype) no longer is what the VMI runs. */
  private boolean restartRequired(ObjectNode vm, ObjectNode vmi) {
    JsonNode instancetype = at(vm, "spec", "instancetype").isObject() ? matcher(vm, false) : null;
    if (at(vm, "spec", "instancetype").isObject() && instancetype == null) {
      return false;
    }
    JsonNode preference = at(vm, "spec", "preference").isObject() ? matcher(vm, true) : null;
    return !VmSpecs.expand(vm, instancetype, preference).equals(vmi.path("spec"));
  }

  private static boolean ownedByVm(ObjectNode vmi) {
    for (JsonNode ref : at(vmi, "metadata", "ownerReferences")) {
      if ("VirtualMachine".equals(ref.path("kind").asText())) {
        return true;
      }
    }
    return false;
  }

  private static boolean ownedBy(ObjectNode vmi, ObjectNode vm) {
    String uid = KubeJson.uid(vm);
    for (JsonNode ref : at(vmi, "metadata", "ownerReferences")) {
      if (uid != null && uid.equals(ref.path("uid").asText())) {
        return true;
      }
    }
    return false;
  }
}
