package dev.virtsaga.gateway.rest;

import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.gateway.service.ProviderRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** {@code GET /v1/providers}: the providers, their capabilities and health. */
@Path("/v1/providers")
@Produces(MediaType.APPLICATION_JSON)
public class ProviderResource {
  private final ProviderRegistry registry;

  public ProviderResource(ProviderRegistry registry) {
    this.registry = registry;
  }

  /**
   * One provider as the API shows it (not the worker's internal endpoint).
   *
   * @param hosts the hosts VMs may be put on or migrated to, the default first; absent when the
   *     provider declares none
   */
  public record ProviderView(
      String name,
      List<String> capabilities,
      String health,
      String message,
      String updatedAt,
      List<String> hosts) {
    static ProviderView of(ProviderStatus s) {
      return new ProviderView(
          s.provider(),
          s.capabilities(),
          s.health().name(),
          s.message(),
          s.at().toString(),
          s.hosts());
    }
  }

  /** The providers' list. */
  public record ProviderList(List<ProviderView> items) {}

  @GET
  @Operation(
      summary = "List providers",
      description = "Each provider's declared capabilities and health, as its worker reports them")
  public ProviderList list() {
    return new ProviderList(registry.all().stream().map(ProviderView::of).toList());
  }
}
