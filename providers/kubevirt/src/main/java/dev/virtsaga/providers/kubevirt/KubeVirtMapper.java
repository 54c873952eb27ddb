package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The anti-corruption layer: KubeVirt objects (as fabric8 {@link GenericKubernetesResource}s) → the
 * SPI's domain. Nil-safe throughout: any field may be missing (a VM the controller has not
 * reconciled yet has no status; a stopped VM has no VMI).
 *
 * <p><b>States.</b> A VM's {@code status.printableStatus} decides, the VMI refines:
 *
 * <table>
 *   <caption>KubeVirt → VirtSaga</caption>
 *   <tr><th>printableStatus</th><th>PowerState</th><th>error</th></tr>
 *   <tr><td>Running, Migrating</td><td>ON</td><td>—</td></tr>
 *   <tr><td>Paused</td><td>PAUSED</td><td>—</td></tr>
 *   <tr><td>Stopped</td><td>OFF</td><td>—</td></tr>
 *   <tr><td>Provisioning, Starting, WaitingForVolumeBinding, WaitingForReceiver, Stopping,
 *       Terminating</td><td>UNKNOWN (on its way)</td><td>—</td></tr>
 *   <tr><td>CrashLoopBackOff, ErrorUnschedulable, ErrImagePull, ImagePullBackOff,
 *       ErrorPvcNotFound, DataVolumeError, ErrorDataVolumeNotFound</td><td>CRASHED</td>
 *       <td>the status, with the message of the first failing condition</td></tr>
 *   <tr><td>missing or Unknown</td><td>from the VMI: phase Running → ON (PAUSED with a Paused
 *       condition), Failed → CRASHED, Succeeded or no VMI → OFF, else UNKNOWN</td><td>—</td></tr>
 * </table>
 *
 * <p>IPs come from the VMI's {@code status.interfaces[].ipAddress} and {@code ipAddresses}; the
 * host is the VMI's {@code status.nodeName} (for a stopped VM, the node its template is pinned to).
 */
final class KubeVirtMapper {
  /** The label carrying VirtSaga's vmId on every VM (and, through the template, VMI) it made. */
  static final String VM_ID_LABEL = "virtsaga.dev/vm-id";

  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  private static final Set<String> ERROR_STATES =
      Set.of(
          "CrashLoopBackOff",
          "ErrorUnschedulable",
          "ErrImagePull",
          "ImagePullBackOff",
          "ErrorPvcNotFound",
          "DataVolumeError",
          "ErrorDataVolumeNotFound");
  private static final Set<String> TRANSITIONAL =
      Set.of(
          "Provisioning",
          "Starting",
          "WaitingForVolumeBinding",
          "WaitingForReceiver",
          "Stopping",
          "Terminating");

  private KubeVirtMapper() {}

  static String vmId(GenericKubernetesResource vm) {
    return Tree.text(Tree.of(vm), "metadata", "labels", VM_ID_LABEL).orElse(null);
  }

  static String name(GenericKubernetesResource r) {
    return r == null || r.getMetadata() == null ? null : r.getMetadata().getName();
  }

  static String printableStatus(GenericKubernetesResource vm) {
    return Tree.text(Tree.of(vm), "status", "printableStatus").orElse("");
  }

  /** The power state per the table above; {@code vmi} may be null. */
  static PowerState power(GenericKubernetesResource vm, GenericKubernetesResource vmi) {
    String status = printableStatus(vm);
    switch (status) {
      case "Running", "Migrating":
        return PowerState.ON;
      case "Paused":
        return PowerState.PAUSED;
      case "Stopped":
        return PowerState.OFF;
      default:
        break;
    }
    if (ERROR_STATES.contains(status)) {
      return PowerState.CRASHED;
    }
    if (TRANSITIONAL.contains(status)) {
      return PowerState.UNKNOWN;
    }
    return vmiPower(vmi);
  }

  static PowerState vmiPower(GenericKubernetesResource vmi) {
    if (vmi == null) {
      return PowerState.OFF;
    }
    Map<String, Object> tree = Tree.of(vmi);
    String phase = Tree.text(tree, "status", "phase").orElse("");
    return switch (phase) {
      case "Running" -> isPaused(tree) ? PowerState.PAUSED : PowerState.ON;
      case "Failed" -> PowerState.CRASHED;
      case "Succeeded" -> PowerState.OFF;
      default -> PowerState.UNKNOWN;
    };
  }

  private static boolean isPaused(Map<String, Object> vmi) {
    return Tree.maps(vmi, "status", "conditions").stream()
        .anyMatch(
            c ->
                "Paused".equals(Tree.text(c, "type").orElse(""))
                    && "True".equals(Tree.text(c, "status").orElse("")));
  }

  /**
   * Why the VM is failing, when it is: its error state with the message of the first condition that
   * says so ({@code Failure}=True, or {@code Ready}/{@code Synchronized}=False with a reason).
   */
  static Optional<String> error(GenericKubernetesResource vm) {
    String status = printableStatus(vm);
    Optional<String> condition = failingCondition(Tree.of(vm));
    if (ERROR_STATES.contains(status)) {
      return Optional.of(status + condition.map(c -> ": " + c).orElse(""));
    }
    return condition.filter(c -> !TRANSITIONAL.contains(status));
  }

  /**
   * The first condition that reports a failure: {@code type reason: message}. {@code Ready=False}
   * is not one (a stopped VM is not ready: {@code VMINotExists}); {@code Failure=True} and a failed
   * reconcile ({@code Synchronized=False} with a message) are.
   */
  static Optional<String> failingCondition(Object object) {
    for (Map<String, Object> c : Tree.maps(object, "status", "conditions")) {
      String type = Tree.text(c, "type").orElse("");
      String status = Tree.text(c, "status").orElse("");
      boolean failure =
          ("Failure".equals(type) && "True".equals(status))
              || ("Synchronized".equals(type)
                  && "False".equals(status)
                  && Tree.text(c, "message").isPresent());
      if (failure) {
        return Optional.of(
            type
                + Tree.text(c, "reason").map(r -> " " + r).orElse("")
                + Tree.text(c, "message").map(m -> ": " + m).orElse(""));
      }
    }
    return Optional.empty();
  }

  /** The VMI's addresses, in interface order, without duplicates. */
  static List<String> ips(GenericKubernetesResource vmi) {
    Set<String> ips = new LinkedHashSet<>();
    for (Map<String, Object> nic : Tree.maps(Tree.of(vmi), "status", "interfaces")) {
      Tree.text(nic, "ipAddress").ifPresent(ips::add);
      ips.addAll(Tree.strings(nic, "ipAddresses"));
    }
    return List.copyOf(ips);
  }

  /** The node the VM runs on (VMI), else the node its template is pinned to, else null. */
  static String node(GenericKubernetesResource vm, GenericKubernetesResource vmi) {
    return Tree.text(Tree.of(vmi), "status", "nodeName")
        .or(
            () ->
                Tree.text(Tree.of(vm), "spec", "template", "spec", "nodeSelector", HOSTNAME_LABEL))
        .orElse(null);
  }

  /** The VM (and its VMI, may be null) as the SPI describes it; null VM → absent. */
  static VmDescription describe(
      String vmId, GenericKubernetesResource vm, GenericKubernetesResource vmi) {
    if (vm == null) {
      return VmDescription.absent(vmId);
    }
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("name", name(vm));
    raw.put("printableStatus", printableStatus(vm));
    Tree.text(Tree.of(vm), "spec", "runStrategy").ifPresent(s -> raw.put("runStrategy", s));
    Optional.ofNullable(node(vm, vmi)).ifPresent(n -> raw.put("host", n));
    error(vm).ifPresent(e -> raw.put("error", e));
    Tree.text(Tree.of(vm), "metadata", "resourceVersion")
        .ifPresent(v -> raw.put("resourceVersion", v));
    if (restartRequired(vm)) {
      raw.put("restartRequired", "true");
    }
    return new VmDescription(
        vmId == null ? vmId(vm) : vmId, name(vm), true, power(vm, vmi), ips(vmi), null, raw);
  }

  /** KubeVirt's {@code RestartRequired} condition: a change waits for the next start. */
  static boolean restartRequired(GenericKubernetesResource vm) {
    return Tree.maps(Tree.of(vm), "status", "conditions").stream()
        .anyMatch(
            c ->
                "RestartRequired".equals(Tree.text(c, "type").orElse(""))
                    && "True".equals(Tree.text(c, "status").orElse("")));
  }

  /**
   * The error a start that ended in an error state is: an image that cannot be pulled can never
   * start (INVALID_SPEC); no node fits it yet (UNAVAILABLE, retried); a crashing guest (RETRYABLE).
   */
  static ProviderException startFailure(GenericKubernetesResource vm) {
    String status = printableStatus(vm);
    String message = "the VM " + name(vm) + " did not start: " + error(vm).orElse(status);
    ErrorType type =
        switch (status) {
          case "ErrImagePull", "ImagePullBackOff", "ErrorPvcNotFound", "ErrorDataVolumeNotFound" ->
              ErrorType.INVALID_SPEC;
          case "ErrorUnschedulable" -> ErrorType.UNAVAILABLE;
          default -> ErrorType.RETRYABLE;
        };
    return new ProviderException(type, message);
  }

  static boolean isErrorState(GenericKubernetesResource vm) {
    return ERROR_STATES.contains(printableStatus(vm));
  }
}
