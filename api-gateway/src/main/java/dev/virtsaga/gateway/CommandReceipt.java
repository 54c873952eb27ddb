package dev.virtsaga.gateway;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What the gateway answers for a command it published (and replays for a repeated Idempotency-Key).
 *
 * @param vmId the VM the command is about; for a create or an import, the new VM
 * @param cloneVmId a clone: the id of the VM the clone makes (chosen by the gateway); otherwise
 *     {@code null}
 */
@Schema(name = "CommandReceipt", description = "A command accepted for publication")
public record CommandReceipt(
    @Schema(description = "Follow it at /v1/operations/{operationId}") String operationId,
    @Schema(description = "The VM the command is about; for a create or an import, the new VM")
        String vmId,
    OperationStatus status,
    @Schema(
            description =
                "Clone only: the new VM's id, readable at /v1/vms/{cloneVmId} once the clone"
                    + " exists")
        String cloneVmId) {

  /** A receipt of a command that makes no second VM. */
  public CommandReceipt(String operationId, String vmId, OperationStatus status) {
    this(operationId, vmId, status, null);
  }
}
