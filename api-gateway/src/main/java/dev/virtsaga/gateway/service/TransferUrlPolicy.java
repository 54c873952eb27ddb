package dev.virtsaga.gateway.service;

import dev.virtsaga.gateway.UrlNotAllowedException;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.UrlPolicy;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * The allow-list for the URLs of disk imports and exports (ARCHITECTURE.md §7: no SSRF), applied
 * before a command is published: the providers' {@link UrlPolicy} with the gateway's settings
 * ({@code virtsaga.gateway.transfer.*}). Workers check again with their own.
 */
@ApplicationScoped
public class TransferUrlPolicy {
  private final UrlPolicy policy;

  @Inject
  public TransferUrlPolicy(GatewayConfig config) {
    this(
        new UrlPolicy(
            config.transfer().fileRoots().stream().map(Path::of).toList(),
            new HashSet<>(config.transfer().allowedHosts().orElse(List.of())),
            config.transfer().allowPrivateNetworks(),
            null));
  }

  TransferUrlPolicy(UrlPolicy policy) {
    this.policy = policy;
  }

  /**
   * Checks a URL off the event loop (host names are resolved, files looked up) and answers on the
   * caller's Vert.x context.
   *
   * @param field the request field holding the URL, named in the problem
   * @return the URL, normalised as it was checked
   * @throws UrlNotAllowedException (as the Uni's failure) when the allow-list refuses it
   */
  public Uni<String> check(String field, String url) {
    Context context = Vertx.currentContext();
    Uni<String> checked =
        Uni.createFrom()
            .item(() -> checkNow(field, url))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    return context == null ? checked : checked.emitOn(r -> context.runOnContext(v -> r.run()));
  }

  /** The blocking check. */
  String checkNow(String field, String url) {
    URI checked;
    try {
      checked = policy.check(url);
    } catch (ProviderException e) {
      throw new UrlNotAllowedException(field, e.getMessage());
    }
    // normalising drops a file URL's empty authority (file:/x); workers expect file:///x
    return "file".equalsIgnoreCase(checked.getScheme())
        ? "file://" + checked.getRawPath()
        : checked.toString();
  }
}
