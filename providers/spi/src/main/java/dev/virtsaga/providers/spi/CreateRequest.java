package dev.virtsaga.providers.spi;

import java.util.Map;
import java.util.Objects;

/**
 * What to create. The adapter tags the hypervisor object with {@code vmId} (and {@code
 * operationId}) so a repeated create finds it again (ARCHITECTURE.md §3, invariant 6).
 *
 * @param vmId VirtSaga's id of the VM; the idempotency key of {@link Provider#create}
 * @param operationId the operation that asked for the VM, recorded on the object for tracing
 * @param name display name; adapters derive a unique hypervisor name from it and {@code vmId}
 * @param cpus virtual CPUs, &ge; 1
 * @param memoryMiB memory in MiB, &ge; 1
 * @param diskGiB root disk size in GiB; 0 means no disk
 * @param image image or template for the root disk, provider-specific, or {@code null}
 * @param labels free-form labels, never {@code null}
 * @param host where to place the VM when one endpoint reaches several hosts (a vCenter's ESXi host,
 *     a Kubernetes node), as the adapter names it; {@code null} lets the hypervisor choose. An
 *     adapter whose connection is the host itself (libvirt) has nothing to choose.
 */
public record CreateRequest(
    String vmId,
    String operationId,
    String name,
    int cpus,
    long memoryMiB,
    long diskGiB,
    String image,
    Map<String, String> labels,
    String host) {

  /** Placed by the hypervisor. */
  public CreateRequest(
      String vmId,
      String operationId,
      String name,
      int cpus,
      long memoryMiB,
      long diskGiB,
      String image,
      Map<String, String> labels) {
    this(vmId, operationId, name, cpus, memoryMiB, diskGiB, image, labels, null);
  }

  /** The same request placed on {@code newHost}. */
  public CreateRequest onHost(String newHost) {
    return new CreateRequest(
        vmId, operationId, name, cpus, memoryMiB, diskGiB, image, labels, newHost);
  }

  public CreateRequest {
    Objects.requireNonNull(vmId, "vmId");
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /**
   * Checks the sizes every provider needs.
   *
   * @throws ProviderException of type {@link ErrorType#INVALID_SPEC} when they are impossible
   */
  public void requireValid() {
    if (vmId.isBlank()) {
      throw ProviderException.invalidSpec("vmId must not be blank");
    }
    if (name.isBlank()) {
      throw ProviderException.invalidSpec("name must not be blank");
    }
    if (cpus < 1) {
      throw ProviderException.invalidSpec("cpus must be at least 1, was " + cpus);
    }
    if (memoryMiB < 1) {
      throw ProviderException.invalidSpec("memoryMiB must be at least 1, was " + memoryMiB);
    }
    if (diskGiB < 0) {
      throw ProviderException.invalidSpec("diskGiB must not be negative, was " + diskGiB);
    }
  }
}
