package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.regex.Pattern;

/** KubeVirt VirtualMachine spec rules shared by admission and the simulated controller. */
final class VmSpecs {

  static final String ALWAYS = "Always";
  static final String HALTED = "Halted";
  static final String MANUAL = "Manual";
  static final String RERUN_ON_FAILURE = "RerunOnFailure";
  static final String ONCE = "Once";
  static final List<String> RUN_STRATEGIES =
      List.of(ALWAYS, HALTED, MANUAL, RERUN_ON_FAILURE, ONCE);

  static final String CLUSTER_INSTANCETYPE_KIND = "VirtualMachineClusterInstancetype";
  static final String INSTANCETYPE_KIND = "VirtualMachineInstancetype";
  static final String CLUSTER_PREFERENCE_KIND = "VirtualMachineClusterPreference";
  static final String PREFERENCE_KIND = "VirtualMachinePreference";

  /** The pattern KubeVirt's CRD schema gives resource quantities. */
  static final Pattern QUANTITY =
      Pattern.compile(
          "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))"
              + "(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$");

  private VmSpecs() {}

  /** The effective run strategy: spec.runStrategy, else the deprecated spec.running. */
  static String runStrategy(JsonNode vm) {
    String rs = KubeJson.text(vm, "spec", "runStrategy");
    if (rs != null) {
      return rs;
    }
    return KubeJson.at(vm, "spec", "running").asBoolean(false) ? ALWAYS : HALTED;
  }

  /** Whether the VM uses the deprecated {@code spec.running} instead of a run strategy. */
  static boolean usesRunning(JsonNode vm) {
    return !KubeJson.has(vm, "spec", "runStrategy") && KubeJson.has(vm, "spec", "running");
  }

  static boolean isQuantity(JsonNode n) {
    if (n.isIntegralNumber()) {
      return true;
    }
    return n.isTextual() && QUANTITY.matcher(n.asText()).matches();
  }

  /** Bytes of a quantity node (number or string), or -1 when absent or unparsable. */
  static long bytes(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return -1;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (!isQuantity(n)) {
      return -1;
    }
    try {
      BigDecimal b = Quantity.getAmountInBytes(new Quantity(n.asText()));
      return b.longValue();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The store path of the instancetype (or preference) a VM's matcher points to. */
  static String matcherPath(JsonNode matcher, String namespace, boolean preference) {
    String kind = KubeJson.text(matcher, "kind");
    String name = KubeJson.text(matcher, "name");
    KubeVirtResource r;
    if (preference) {
      r =
          PREFERENCE_KIND.equals(kind)
              ? KubeVirtResource.VIRTUAL_MACHINE_PREFERENCE
              : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_PREFERENCE;
    } else {
      r =
          INSTANCETYPE_KIND.equals(kind)
              ? KubeVirtResource.VIRTUAL_MACHINE_INSTANCETYPE
              : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE;
    }
    return ApiPath.of(r, namespace, name);
  }

  /** {@code <plural>.<group>} of a matcher's target, for "not found" messages. */
  static String matcherResource(JsonNode matcher, boolean preference) {
    String kind = KubeJson.text(matcher, "kind");
    if (preference) {
      return PREFERENCE_KIND.equals(kind)
          ? KubeVirtResource.VIRTUAL_MACHINE_PREFERENCE.crdName()
          : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_PREFERENCE.crdName();
    }
    return INSTANCETYPE_KIND.equals(kind)
        ? KubeVirtResource.VIRTUAL_MACHINE_INSTANCETYPE.crdName()
        : KubeVirtResource.VIRTUAL_MACHINE_CLUSTER_INSTANCETYPE.crdName();
  }

  /**
   * The VMI spec a VM runs with: its template spec, with the instancetype's CPU (as sockets, or as
   * the preference's preferred topology) and guest memory applied.
   *
   * @param instancetype the VM's instancetype object, or null
   * @param preference the VM's preference object, or null
   */
  static ObjectNode expand(JsonNode vm, JsonNode instancetype, JsonNode preference) {
    JsonNode template = KubeJson.at(vm, "spec", "template", "spec");
    ObjectNode spec = template instanceof ObjectNode o ? o.deepCopy() : KubeJson.object();
    if (instancetype != null) {
      ObjectNode domain = KubeJson.obj(spec, "domain");
      int guest = KubeJson.at(instancetype, "spec", "cpu", "guest").asInt(1);
      String topology =
          KubeJson.text(preference, "spec", "cpu", "preferredCPUTopology") == null
              ? "preferSockets"
              : KubeJson.text(preference, "spec", "cpu", "preferredCPUTopology");
      ObjectNode cpu = KubeJson.obj(domain, "cpu");
      cpu.put(
          "sockets", topology.equals("preferSockets") || topology.equals("sockets") ? guest : 1);
      cpu.put("cores", topology.equals("preferCores") || topology.equals("cores") ? guest : 1);
      cpu.put(
          "threads", topology.equals("preferThreads") || topology.equals("threads") ? guest : 1);
      JsonNode memory = KubeJson.at(instancetype, "spec", "memory", "guest");
      if (!memory.isMissingNode()) {
        KubeJson.obj(domain, "memory").set("guest", memory.deepCopy());
      }
    }
    return spec;
  }

  /** CPU topology of a VMI spec: sockets, cores, threads (unset ones are 1). */
  static int[] topology(JsonNode vmiSpec) {
    JsonNode cpu = KubeJson.at(vmiSpec, "domain", "cpu");
    return new int[] {
      Math.max(1, cpu.path("sockets").asInt(1)),
      Math.max(1, cpu.path("cores").asInt(1)),
      Math.max(1, cpu.path("threads").asInt(1))
    };
  }

  /** The guest memory of a VMI spec as given (memory.guest, else requests.memory), or null. */
  static JsonNode guestMemory(JsonNode vmiSpec) {
    JsonNode guest = KubeJson.at(vmiSpec, "domain", "memory", "guest");
    if (!guest.isMissingNode() && !guest.isNull()) {
      return guest;
    }
    JsonNode req = KubeJson.at(vmiSpec, "domain", "resources", "requests", "memory");
    return req.isMissingNode() || req.isNull() ? null : req;
  }
}
