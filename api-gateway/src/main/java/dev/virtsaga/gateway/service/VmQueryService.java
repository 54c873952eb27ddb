package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.ReadModelLoadingException;
import dev.virtsaga.gateway.messaging.StateCatchUp;
import dev.virtsaga.gateway.repository.VmReadModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;

/** Reads VMs from the read model, scoped to a tenant. */
@ApplicationScoped
public class VmQueryService {
  private final VmReadModel readModel;
  private final StateCatchUp catchUp;

  public VmQueryService(VmReadModel readModel, StateCatchUp catchUp) {
    this.readModel = readModel;
    this.catchUp = catchUp;
  }

  /**
   * The tenant's VM.
   *
   * @throws NotFoundException when there is no such VM
   * @throws ReadModelLoadingException when there may be one the read model has not loaded yet
   */
  public VmSnapshot get(String tenantId, String vmId) {
    return readModel
        .find(tenantId, vmId)
        .orElseThrow(
            () ->
                catchUp.caughtUp() ? NotFoundException.vm(vmId) : new ReadModelLoadingException());
  }

  /**
   * The tenant's VM if the read model has it (it may not yet, or no longer: a deleted VM is gone).
   */
  public Optional<VmSnapshot> find(String tenantId, String vmId) {
    return readModel.find(tenantId, vmId);
  }

  /**
   * Whether VirtSaga manages a VM of this id, whatever its tenant.
   *
   * @throws ReadModelLoadingException when the read model lacks it but has not caught up yet
   */
  public boolean isKnown(String vmId) {
    if (readModel.tenantOf(vmId).isPresent()) {
      return true;
    }
    if (!catchUp.caughtUp()) {
      throw new ReadModelLoadingException();
    }
    return false;
  }

  /** Whether the read model has a VM of this id, whatever its tenant (no waiting for catch-up). */
  public boolean inReadModel(String vmId) {
    return readModel.tenantOf(vmId).isPresent();
  }

  /** Whether the read model has caught up with {@code vm.state.v1}. */
  public boolean caughtUp() {
    return catchUp.caughtUp();
  }

  /** Shows a VM whose create command was just accepted, until its first snapshot arrives. */
  public void created(String vmId, String tenantId, VmSpec spec, Instant at) {
    readModel.putProvisional(vmId, tenantId, spec, at);
  }

  /**
   * A page of the tenant's VMs.
   *
   * @throws ReadModelLoadingException while the read model is incomplete
   */
  public VmReadModel.Page list(String tenantId, Optional<VmState> state, int offset, int limit) {
    if (!catchUp.caughtUp()) {
      throw new ReadModelLoadingException();
    }
    return readModel.list(tenantId, state, offset, limit);
  }
}
