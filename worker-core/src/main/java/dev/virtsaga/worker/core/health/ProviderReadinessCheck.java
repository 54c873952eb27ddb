package dev.virtsaga.worker.core.health;

import dev.virtsaga.providers.spi.Provider;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the provider endpoint answers {@link Provider#validate()}. */
@Readiness
@ApplicationScoped
public class ProviderReadinessCheck implements AsyncHealthCheck {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Provider provider;

  public ProviderReadinessCheck(Provider provider) {
    this.provider = provider;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    String name = "provider-" + provider.name();
    return provider
        .validate()
        .ifNoItem()
        .after(TIMEOUT)
        .fail()
        .map(ok -> HealthCheckResponse.named(name).up().build())
        .onFailure()
        .recoverWithItem(
            e ->
                HealthCheckResponse.named(name)
                    .down()
                    .withData("error", String.valueOf(e.getMessage()))
                    .build());
  }
}
