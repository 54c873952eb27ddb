package dev.virtsaga.providers.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Provider#describe} sees of one VM.
 *
 * @param vmId VirtSaga's id of the VM (from the object's tag)
 * @param providerRef the hypervisor's id, or {@code null} when the VM does not exist
 * @param exists whether the VM exists on the provider
 * @param power its power state; {@link PowerState#NOT_FOUND} when it does not exist
 * @param ips addresses the provider knows of, possibly empty
 * @param consoleUrl where to reach its console, or {@code null}
 * @param raw provider-specific details for operators (never secrets)
 */
public record VmDescription(
    String vmId,
    String providerRef,
    boolean exists,
    PowerState power,
    List<String> ips,
    String consoleUrl,
    Map<String, String> raw) {

  public VmDescription {
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(power, "power");
    ips = ips == null ? List.of() : List.copyOf(ips);
    raw = raw == null ? Map.of() : Map.copyOf(raw);
    if (exists == (power == PowerState.NOT_FOUND)) {
      throw new IllegalArgumentException("exists=" + exists + " contradicts power=" + power);
    }
  }

  /** The description of a VM that does not exist. */
  public static VmDescription absent(String vmId) {
    return new VmDescription(vmId, null, false, PowerState.NOT_FOUND, List.of(), null, Map.of());
  }
}
