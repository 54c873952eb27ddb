package dev.virtsaga.gateway.service;

import dev.virtsaga.events.lifecycle.OperationStarted;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationStatus;
import dev.virtsaga.gateway.OperationUpdate;
import dev.virtsaga.gateway.repository.OperationRepository;
import dev.virtsaga.gateway.repository.VmReadModel;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Operations the gateway published, followed through lifecycle events. */
@ApplicationScoped
public class OperationService {
  private final OperationRepository operations;
  private final VmReadModel readModel;

  public OperationService(OperationRepository operations, VmReadModel readModel) {
    this.operations = operations;
    this.readModel = readModel;
  }

  public Uni<Operation> get(String tenantId, String operationId) {
    return operations
        .find(tenantId, operationId)
        .onItem()
        .ifNull()
        .failWith(() -> NotFoundException.operation(operationId));
  }

  /**
   * Applies a lifecycle event's news (idempotent, order-safe).
   *
   * @return whether the operation changed
   */
  public Uni<Boolean> apply(OperationUpdate update) {
    return operations.apply(update);
  }

  /**
   * Makes an operation the orchestrator started on its own (an ENFORCE drift policy's corrective
   * start or stop) followable at {@code /v1/operations/{id}} by the VM's tenant, like one this
   * gateway published: a row for it, unless it has one.
   */
  public Uni<Void> recordStarted(OperationStarted started) {
    return readModel
        .tenantOf(started.vmId())
        .map(
            tenant ->
                operations
                    .insertIfAbsent(
                        new Operation(
                            started.operationId(),
                            tenant,
                            started.vmId(),
                            started.operation(),
                            OperationStatus.ACCEPTED,
                            null,
                            null,
                            null,
                            started.at(),
                            started.at()))
                    .replaceWithVoid())
        .orElseGet(() -> Uni.createFrom().voidItem());
  }
}
