package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.OperationUpdate;
import dev.virtsaga.gateway.repository.OperationRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Operations the gateway published, followed through lifecycle events. */
@ApplicationScoped
public class OperationService {
  private final OperationRepository operations;

  public OperationService(OperationRepository operations) {
    this.operations = operations;
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
}
