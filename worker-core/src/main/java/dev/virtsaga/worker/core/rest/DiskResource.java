package dev.virtsaga.worker.core.rest;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.DiskInfo;
import dev.virtsaga.providers.spi.Disks;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.worker.core.service.ProviderHosts;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The worker's internal read API, for the gateway ({@code GET /v1/vms/{id}/disks}): a VM's disks,
 * asked of the provider through its {@link Disks} capability. Not for users: the gateway finds this
 * worker by the endpoint it declares on {@code vm.providers.v1}, after checking tenant and VM.
 *
 * <p>Errors are {@code application/problem+json}: the provider's {@code NOT_FOUND} is 404, {@code
 * NOT_SUPPORTED} 422, {@code INVALID_SPEC} 400, the retryable kinds (unavailable, timeout, rate
 * limit) 503 with {@code Retry-After} when the provider gave one, anything else 502.
 */
@Path("/internal/v1/vms/{vmId}/disks")
@Produces(MediaType.APPLICATION_JSON)
public class DiskResource {
  private static final Logger LOG = Logger.getLogger(DiskResource.class);
  static final String PROBLEM = "application/problem+json";
  static final String PROBLEM_TYPES = "https://virtsaga.dev/problems/";

  private final ProviderHosts hosts;

  public DiskResource(ProviderHosts hosts) {
    this.hosts = hosts;
  }

  /** A VM's disks, root disk first. */
  public record DiskList(List<DiskInfo> items) {}

  /** An RFC 9457 problem. */
  public record Problem(String type, String title, int status, String detail, String instance) {}

  /**
   * @param providerRef the hypervisor's id of the VM, when the caller knows it
   * @param host the provider's host the VM is on; absent: the default host
   */
  @GET
  public Uni<Response> disks(
      @PathParam("vmId") String vmId,
      @QueryParam("providerRef") String providerRef,
      @QueryParam("host") String host) {
    String instance = "/internal/v1/vms/" + vmId + "/disks";
    return Uni.createFrom()
        .deferred(() -> Capability.of(providerFor(host), Disks.class).disks(vmId, providerRef))
        .map(disks -> Response.ok(new DiskList(disks)).build())
        .onFailure()
        .recoverWithItem(e -> problem(e, vmId, instance));
  }

  /**
   * The adapter of a host.
   *
   * @param host the provider's host, or {@code null} for the default one
   * @throws dev.virtsaga.providers.spi.ProviderException INVALID_SPEC for a host this worker does
   *     not reach
   */
  Provider providerFor(String host) {
    return hosts.provider(host);
  }

  private Response problem(Throwable e, String vmId, String instance) {
    if (!(e instanceof ProviderException p)) {
      LOG.errorf(e, "disk info failed vmId=%s provider=%s", vmId, hosts.primary().name());
      return problem(500, "internal-error", "Internal Server Error", "disk info failed", instance);
    }
    Response.ResponseBuilder r =
        switch (p.type()) {
          case NOT_FOUND -> status(404, "not-found", "Not found", p, instance);
          case NOT_SUPPORTED ->
              status(422, "not-supported", "Not supported by the provider", p, instance);
          case INVALID_SPEC -> status(400, "invalid-request", "Invalid request", p, instance);
          case UNAVAILABLE, TIMEOUT, RATE_LIMIT, RETRYABLE ->
              status(503, "provider-unavailable", "Provider unavailable", p, instance);
          default ->
              status(502, "provider-error", "Provider error (" + p.type() + ")", p, instance);
        };
    p.retryAfter()
        .ifPresent(d -> r.header("Retry-After", String.valueOf(Math.max(1, d.toSeconds()))));
    if (p.type() != ErrorType.NOT_FOUND && p.type() != ErrorType.NOT_SUPPORTED) {
      LOG.warnf(
          "disk info failed vmId=%s provider=%s: %s", vmId, hosts.primary().name(), p.toString());
    }
    return r.build();
  }

  private static Response.ResponseBuilder status(
      int status, String kind, String title, ProviderException p, String instance) {
    return Response.status(status)
        .type(PROBLEM)
        .entity(new Problem(PROBLEM_TYPES + kind, title, status, p.getMessage(), instance));
  }

  private static Response problem(
      int status, String kind, String title, String detail, String instance) {
    return Response.status(status)
        .type(PROBLEM)
        .entity(new Problem(PROBLEM_TYPES + kind, title, status, detail, instance))
        .build();
  }
}
