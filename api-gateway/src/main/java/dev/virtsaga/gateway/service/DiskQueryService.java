package dev.virtsaga.gateway.service;

import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.Disk;
import dev.virtsaga.gateway.ProviderUnavailableException;
import dev.virtsaga.gateway.client.WorkerClient;
import dev.virtsaga.providers.spi.Capability;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * A VM's disks, read live from its provider through the provider's worker: the read model knows the
 * VM (and its tenant), the provider's declaration on {@code vm.providers.v1} knows the worker's
 * endpoint.
 */
@ApplicationScoped
public class DiskQueryService {
  private final VmQueryService queries;
  private final ProviderRegistry providers;
  private final WorkerClient workers;

  public DiskQueryService(
      VmQueryService queries, ProviderRegistry providers, WorkerClient workers) {
    this.queries = queries;
    this.providers = providers;
    this.workers = workers;
  }

  /**
   * The tenant's VM's disks, root disk first.
   *
   * @throws dev.virtsaga.gateway.NotFoundException no such VM (for this tenant), or the provider
   *     does not find it
   * @throws dev.virtsaga.gateway.NotSupportedException the provider declares no disk information
   *     ({@link Capability#DISK_EXPORT_IMPORT}, whose {@code Disks} interface serves it)
   * @throws ProviderUnavailableException no healthy worker with an endpoint, or it did not answer
   */
  public Uni<List<Disk>> disks(String tenantId, String vmId) {
    VmSnapshot vm = queries.get(tenantId, vmId);
    String provider = vm.spec() == null ? null : vm.spec().provider();
    providers.requireCapability(provider, Capability.DISK_EXPORT_IMPORT, "disk information");
    ProviderStatus status =
        providers
            .find(provider)
            .orElseThrow(
                () ->
                    new ProviderUnavailableException(
                        "the worker of provider " + provider + " has not declared itself yet"));
    if (status.health() != ProviderHealth.HEALTHY) {
      throw new ProviderUnavailableException(
          "provider "
              + provider
              + " is "
              + status.health()
              + (status.message() == null ? "" : ": " + status.message()));
    }
    if (status.endpoint() == null || status.endpoint().isBlank()) {
      throw new ProviderUnavailableException(
          "the worker of provider " + provider + " declares no endpoint to read disks from");
    }
    return workers.disks(status.endpoint(), vmId, vm.providerRef(), vm.spec().host());
  }
}
