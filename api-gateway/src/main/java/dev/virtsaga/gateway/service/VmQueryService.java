package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.repository.VmReadModel;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Reads VMs from the read model, scoped to a tenant. */
@ApplicationScoped
public class VmQueryService {
  private final VmReadModel readModel;

  public VmQueryService(VmReadModel readModel) {
    this.readModel = readModel;
  }

  public VmSnapshot get(String tenantId, String vmId) {
    return readModel.find(tenantId, vmId).orElseThrow(() -> NotFoundException.vm(vmId));
  }

  public VmReadModel.Page list(String tenantId, Optional<VmState> state, int offset, int limit) {
    return readModel.list(tenantId, state, offset, limit);
  }
}
