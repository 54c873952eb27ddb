package dev.virtsaga.devstack.kubevirt;

import static dev.virtsaga.devstack.kubevirt.KubeJson.at;
import static dev.virtsaga.devstack.kubevirt.KubeJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.function.UnaryOperator;

/**
 * virt-api's subresources ({@code /apis/subresources.kubevirt.io/v1/namespaces/{ns}/...}) as
 * KubeVirt implements them: {@code virtualmachines/{name}/start|stop|restart|migrate} change the
 * VM's run strategy or queue {@code status.stateChangeRequests} for the controller and answer 202;
 * {@code virtualmachineinstances/{name}/pause|unpause} set or clear the VMI's {@code Paused}
 * condition and answer 200; {@code virtualmachineinstances/{name}/vnc} only exists (400 without a
 * WebSocket, as virt-api, and 400 with one: consoles are not simulated). Refusals are the same 404
 * and 409 {@code Status}es with KubeVirt's messages.
 */
final class Subresources {

  private static final String VM = "virtualmachine";
  private static final String VMI = "virtualmachineinstance";
  private static final String GROUP = KubeVirtResource.KUBEVIRT;

  private final Store store;

  Subresources(Store store) {
    this.store = store;
  }

  Reply handle(String method, ApiPath p, String body, boolean websocketUpgrade) {
    if (!"v1".equals(p.version())) {
      return Reply.status(ApiStatus.pageNotFound());
    }
    if ("version".equals(p.plural()) && p.namespace() == null && p.name() == null) {
      return Reply.json(200, Discovery.kubevirtVersion());
    }
    if ("healthz".equals(p.plural()) && p.namespace() == null && p.name() == null) {
      ObjectNode ok = KubeJson.object();
      ok.put("apiserver", "ok");
      ok.put("restapi", "ok");
      return Reply.json(200, ok);
    }
    if (p.namespace() == null || p.name() == null || p.subresource() == null) {
      return Reply.status(ApiStatus.pageNotFound());
    }
    ObjectNode options = KubeJson.parseObject(body);
    if (options == null) {
      options = KubeJson.object();
    }
    boolean dryRun = p.dryRun() || "All".equals(at(options, "dryRun").path(0).asText());
    String key = p.plural() + "/" + p.subresource();
    String expected = key.equals("virtualmachineinstances/vnc") ? "GET" : "PUT";
    if (!isKnown(key)) {
      return Reply.status(ApiStatus.pageNotFound());
    }
    if (!expected.equals(method)) {
      return Reply.status(ApiStatus.methodNotAllowed());
    }
    String ns = p.namespace();
    String name = p.name();
    try {
      return switch (key) {
        case "virtualmachines/start" -> start(ns, name, dryRun);
        case "virtualmachines/stop" -> stop(ns, name, options, dryRun);
        case "virtualmachines/restart" -> restart(ns, name, options, dryRun);
        case "virtualmachines/migrate" -> migrate(ns, name, dryRun);
        case "virtualmachineinstances/pause" -> pause(ns, name, dryRun);
        case "virtualmachineinstances/unpause" -> unpause(ns, name, dryRun);
        default -> vnc(ns, name, websocketUpgrade);
      };
    } catch (Store.StoreException e) {
      return Reply.status(ApiStatus.internalError(e.getMessage()));
    }
  }

  private static boolean isKnown(String key) {
    return switch (key) {
      case "virtualmachines/start",
              "virtualmachines/stop",
              "virtualmachines/restart",
              "virtualmachines/migrate",
              "virtualmachineinstances/pause",
              "virtualmachineinstances/unpause",
              "virtualmachineinstances/vnc" ->
          true;
      default -> false;
    };
  }

  private String vmPath(String ns, String name) {
    return ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE, ns, name);
  }

  private String vmiPath(String ns, String name) {
    return ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE, ns, name);
  }

  static boolean isFinal(JsonNode vmi) {
    String phase = text(vmi, "status", "phase");
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private Reply start(String ns, String name, boolean dryRun) {
    ObjectNode vm = store.get(vmPath(ns, name));
    if (vm == null) {
      return Reply.status(ApiStatus.notFound(VM, GROUP, name));
    }
    ObjectNode vmi = store.get(vmiPath(ns, name));
    String phase = text(vmi, "status", "phase");
    if (vmi != null
        && !isFinal(vmi)
        && phase != null
        && !phase.isEmpty()
        && !"Unknown".equals(phase)) {
      return conflict(VM, name, "VM is already running");
    }
    String rs = VmSpecs.runStrategy(vm);
    switch (rs) {
      case VmSpecs.HALTED -> {
        if (!dryRun) {
          boolean running = VmSpecs.usesRunning(vm);
          modify(
              vmPath(ns, name),
              false,
              o -> {
                ObjectNode spec = KubeJson.obj(o, "spec");
                if (running) {
                  spec.put("running", true);
                } else {
                  spec.put("runStrategy", VmSpecs.ALWAYS);
                }
                return o;
              });
        }
      }
      case VmSpecs.RERUN_ON_FAILURE, VmSpecs.MANUAL -> {
        boolean restart =
            vmi != null
                && (rs.equals(VmSpecs.MANUAL) && isFinal(vmi)
                    || rs.equals(VmSpecs.RERUN_ON_FAILURE) && "Succeeded".equals(phase));
        if (vmi != null && rs.equals(VmSpecs.RERUN_ON_FAILURE) && "Failed".equals(phase)) {
          return conflict(
              VM, name, "RerunOnFailure does not support starting VM from failed state");
        }
        ArrayNode requests = KubeJson.array();
        if (restart) {
          stopRequest(requests, vmi);
        }
        requests.addObject().put("action", "Start");
        return queue(ns, name, vm, requests, false, dryRun);
      }
      default -> {
        return conflict(VM, name, rs + " does not support manual start requests");
      }
    }
    return Reply.empty(202);
  }

  private Reply stop(String ns, String name, ObjectNode options, boolean dryRun) {
    ObjectNode vm = store.get(vmPath(ns, name));
    if (vm == null) {
      return Reply.status(ApiStatus.notFound(VM, GROUP, name));
    }
    ObjectNode vmi = store.get(vmiPath(ns, name));
    boolean running = vmi != null && !isFinal(vmi);
    String rs = VmSpecs.runStrategy(vm);
    switch (rs) {
      case VmSpecs.HALTED, VmSpecs.RERUN_ON_FAILURE, VmSpecs.MANUAL -> {
        if (!running) {
          return conflict(VM, name, "VM is not running");
        }
        if (rs.equals(VmSpecs.HALTED) && !options.has("gracePeriod")) {
          return conflict(
              VM, name, "Halted only supports manual stop requests with a shorter graceperiod");
        }
        ArrayNode requests = KubeJson.array();
        stopRequest(requests, vmi);
        return queue(ns, name, vm, requests, true, dryRun);
      }
      default -> {
        if (!dryRun) {
          boolean usesRunning = VmSpecs.usesRunning(vm);
          modify(
              vmPath(ns, name),
              false,
              o -> {
                ObjectNode spec = KubeJson.obj(o, "spec");
                if (usesRunning) {
                  spec.put("running", false);
                } else {
                  spec.put("runStrategy", VmSpecs.HALTED);
                }
                return o;
              });
        }
        return Reply.empty(202);
      }
    }
  }

  private Reply restart(String ns, String name, ObjectNode options, boolean dryRun) {
    JsonNode grace = options.path("gracePeriodSeconds");
    if (grace.isNumber() && grace.asLong() > 0) {
      return Reply.status(
          ApiStatus.badRequest("For force restart, only gracePeriod=0 is supported for now"));
    }
    if (grace.isNumber() && grace.asLong() < 0) {
      return Reply.status(ApiStatus.badRequest("gracePeriod has to be greater or equal to 0"));
    }
    ObjectNode vm = store.get(vmPath(ns, name));
    if (vm == null) {
      return Reply.status(ApiStatus.notFound(VM, GROUP, name));
    }
    String rs = VmSpecs.runStrategy(vm);
    if (rs.equals(VmSpecs.HALTED) || rs.equals(VmSpecs.ONCE)) {
      // sic: KubeVirt's message says "RunStategy"
      return conflict(VM, name, "RunStategy " + rs + " does not support manual restart requests");
    }
    ObjectNode vmi = store.get(vmiPath(ns, name));
    if (vmi == null) {
      return conflict(VM, name, "VM is not running: " + VmSpecs.HALTED);
    }
    ArrayNode requests = KubeJson.array();
    stopRequest(requests, vmi);
    requests.addObject().put("action", "Start");
    return queue(ns, name, vm, requests, false, dryRun);
  }

  private static void stopRequest(ArrayNode requests, ObjectNode vmi) {
    ObjectNode stop = requests.addObject();
    stop.put("action", "Stop");
    stop.put("uid", KubeJson.uid(vmi));
  }

  /**
   * Adds state change requests to the VM's status, as virt-api's JSON patch does: refused when
   * others are pending, unless this is a lone stop request (which replaces them).
   */
  private Reply queue(
      String ns, String name, ObjectNode vm, ArrayNode requests, boolean replace, boolean dryRun) {
    JsonNode existing = at(vm, "status", "stateChangeRequests");
    if (existing.size() > 0 && !replace) {
      return Reply.status(
          ApiStatus.internalError("unable to complete request: stop/start already underway"));
    }
    if (!dryRun) {
      modify(
          vmPath(ns, name),
          true,
          o -> {
            ObjectNode status = KubeJson.obj(o, "status");
            status.set("stateChangeRequests", requests.deepCopy());
            status.remove("startFailure");
            return o;
          });
    }
    return Reply.empty(202);
  }

  private Reply migrate(String ns, String name, boolean dryRun) {
    ObjectNode vm = store.get(vmPath(ns, name));
    if (vm == null) {
      return Reply.status(ApiStatus.notFound(VM, GROUP, name));
    }
    ObjectNode vmi = store.get(vmiPath(ns, name));
    if (vmi == null) {
      return Reply.status(ApiStatus.notFound(VMI, GROUP, name));
    }
    if (!"Running".equals(text(vmi, "status", "phase"))) {
      return conflict(VM, name, "VM is not running");
    }
    if (KubeJson.conditionTrue(vm, "Paused")) {
      return conflict(VM, name, "VM is paused");
    }
    if (!dryRun) {
      ObjectNode vmim = KubeJson.object();
      vmim.put("apiVersion", KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION.apiVersion());
      vmim.put("kind", KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION.kind());
      ObjectNode meta = vmim.putObject("metadata");
      meta.put("name", "kubevirt-migrate-vm-" + Admission.randomSuffix());
      meta.put("namespace", ns);
      vmim.putObject("spec").put("vmiName", name);
      store.create(ApiPath.of(KubeVirtResource.VIRTUAL_MACHINE_INSTANCE_MIGRATION, ns, null), vmim);
    }
    return Reply.empty(202);
  }

  private Reply pause(String ns, String name, boolean dryRun) {
    ObjectNode vmi = store.get(vmiPath(ns, name));
    if (vmi == null) {
      return Reply.status(ApiStatus.notFound(VMI, GROUP, name));
    }
    if (!"Running".equals(text(vmi, "status", "phase"))) {
      return conflict(VMI, name, "VM is not running");
    }
    if (KubeJson.condition(vmi, "Paused") != null) {
      return conflict(VMI, name, "VMI is already paused");
    }
    JsonNode migration = at(vmi, "status", "migrationState");
    if (migration.isObject() && !migration.path("completed").asBoolean(false)) {
      return conflict(
          VMI, name, "Cannot pause VM '" + name + "' because it is currently being migrated");
    }
    if (!dryRun) {
      modify(
          vmiPath(ns, name),
          false,
          o -> {
            KubeJson.setCondition(o, "Paused", "True", "PausedByUser", "VMI was paused by user");
            return o;
          });
    }
    return Reply.empty(200);
  }

  private Reply unpause(String ns, String name, boolean dryRun) {
    ObjectNode vm = store.get(vmPath(ns, name));
    if (vm != null && KubeJson.has(vm, "status", "snapshotInProgress")) {
      return conflict(VM, name, "VM snapshot in progress");
    }
    ObjectNode vmi = store.get(vmiPath(ns, name));
    if (vmi == null) {
      return Reply.status(ApiStatus.notFound(VMI, GROUP, name));
    }
    if (!"Running".equals(text(vmi, "status", "phase"))) {
      return conflict(VMI, name, "VMI is not running");
    }
    if (KubeJson.condition(vmi, "Paused") == null) {
      return conflict(VMI, name, "VMI is not paused");
    }
    if (!dryRun) {
      modify(
          vmiPath(ns, name),
          false,
          o -> {
            KubeJson.removeCondition(o, "Paused");
            return o;
          });
    }
    return Reply.empty(200);
  }

  private Reply vnc(String ns, String name, boolean websocketUpgrade) {
    ObjectNode vmi = store.get(vmiPath(ns, name));
    if (vmi == null) {
      return Reply.status(ApiStatus.notFound(VMI, GROUP, name));
    }
    String phase = text(vmi, "status", "phase");
    if (!"Running".equals(phase)) {
      return Reply.status(
          ApiStatus.badRequest(
              "Unable to connect to VirtualMachineInstance because phase is "
                  + (phase == null ? "" : phase)
                  + " instead of Running"));
    }
    if (!websocketUpgrade) {
      return Reply.status(
          ApiStatus.badRequest(
              "websocket: the client is not using the websocket protocol: 'upgrade' token not"
                  + " found in 'Connection' header"));
    }
    return Reply.status(ApiStatus.badRequest("VNC consoles are not simulated"));
  }

  private static Reply conflict(String resource, String name, String why) {
    return Reply.status(ApiStatus.conflict(resource, GROUP, name, why));
  }

  /** Read-modify-write of one object, retried when it changed meanwhile. */
  private void modify(String path, boolean statusOnly, UnaryOperator<ObjectNode> change) {
    for (int attempt = 0; ; attempt++) {
      ObjectNode current = store.get(path);
      if (current == null) {
        throw new Store.StoreException(404, path + " not found");
      }
      ObjectNode next = change.apply(current.deepCopy());
      try {
        store.put(statusOnly ? path + "/status" : path, next);
        return;
      } catch (Store.StoreException e) {
        if (e.code() != 409 || attempt >= 5) {
          throw e;
        }
      }
    }
  }
}
