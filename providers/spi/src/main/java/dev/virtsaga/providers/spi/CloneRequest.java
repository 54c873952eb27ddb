package dev.virtsaga.providers.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A new VM copied from an existing one.
 *
 * @param sourceVmId the VM to copy
 * @param sourceProviderRef its providerRef, or {@code null}
 * @param sourceSnapshotId copy the VM as it was in this snapshot, or {@code null} for its current
 *     state
 * @param targetVmId VirtSaga's id of the new VM; the idempotency key
 * @param operationId the operation that asked for it, recorded on the new VM
 * @param targetName the new VM's display name
 * @param labels labels of the new VM, never {@code null}
 */
public record CloneRequest(
    String sourceVmId,
    String sourceProviderRef,
    String sourceSnapshotId,
    String targetVmId,
    String operationId,
    String targetName,
    Map<String, String> labels) {
  public CloneRequest {
    Objects.requireNonNull(sourceVmId, "sourceVmId");
    Objects.requireNonNull(targetVmId, "targetVmId");
    Objects.requireNonNull(targetName, "targetName");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /**
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} for blank ids or a self-clone
   */
  public void requireValid() {
    if (targetVmId.isBlank() || targetName.isBlank() || sourceVmId.isBlank()) {
      throw ProviderException.invalidSpec("clone needs a source vmId, a target vmId and a name");
    }
    if (targetVmId.equals(sourceVmId)) {
      throw ProviderException.invalidSpec("a VM cannot be cloned onto itself: " + targetVmId);
    }
  }
}
