package dev.virtsaga.gateway.health;

import dev.virtsaga.gateway.messaging.StateCatchUp;
import dev.virtsaga.gateway.repository.VmReadModel;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the read model has caught up with {@code vm.state.v1}. */
@Readiness
@ApplicationScoped
public class ReadModelHealthCheck implements HealthCheck {
  private final StateCatchUp catchUp;
  private final VmReadModel readModel;

  public ReadModelHealthCheck(StateCatchUp catchUp, VmReadModel readModel) {
    this.catchUp = catchUp;
    this.readModel = readModel;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("read-model")
        .status(catchUp.caughtUp())
        .withData("vms", readModel.size())
        .build();
  }
}
