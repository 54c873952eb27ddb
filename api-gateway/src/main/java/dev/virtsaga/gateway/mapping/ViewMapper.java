package dev.virtsaga.gateway.mapping;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.rest.OperationResponse;
import dev.virtsaga.gateway.rest.VmResponse;
import java.util.List;

/** Read-model snapshots and operations to their HTTP representations. */
public final class ViewMapper {
  /** The condition the orchestrator sets false while a VM's provider cannot be reached. */
  public static final String PROVIDER_REACHABLE = "ProviderReachable";

  private ViewMapper() {}

  public static VmResponse toResponse(VmSnapshot s) {
    VmSpec spec = s.spec();
    return new VmResponse(
        s.vmId(),
        spec == null ? null : spec.name(),
        spec == null ? null : spec.provider(),
        spec == null
            ? null
            : new VmResponse.Spec(
                spec.name(),
                spec.provider(),
                spec.cpus(),
                spec.memoryMiB(),
                spec.diskGiB(),
                spec.image(),
                spec.labels(),
                spec.host(),
                spec.source() == null
                    ? null
                    : new VmResponse.Source(
                        spec.source().url(), spec.source().format(), spec.source().sha256()),
                spec.effectiveDriftPolicy()),
        s.state(),
        power(s),
        s.operation() == null
            ? null
            : new VmResponse.OperationSummary(
                s.operation().id(),
                s.operation().type(),
                s.operation().step(),
                s.operation().attempt(),
                s.operation().deadline(),
                s.operation().startedAt()),
        s.lastOperationId(),
        s.conditions() == null
            ? List.of()
            : s.conditions().stream()
                .map(
                    c ->
                        new VmResponse.ConditionView(
                            c.type(), c.status(), c.reason(), c.message(), c.since()))
                .toList(),
        s.ips() == null ? List.of() : s.ips(),
        s.version(),
        s.lastError() == null
            ? null
            : new VmResponse.ErrorView(
                s.lastError().type() == null ? null : s.lastError().type().name(),
                s.lastError().message(),
                s.lastError().retryable()),
        s.createdAt(),
        s.updatedAt());
  }

  /**
   * The power to show: UNKNOWN while the provider is unreachable (condition {@code
   * ProviderReachable} false; ARCHITECTURE.md §3, invariant 5), else the power last observed.
   */
  static PowerState power(VmSnapshot s) {
    boolean unreachable =
        s.conditions() != null
            && s.conditions().stream()
                .anyMatch(c -> PROVIDER_REACHABLE.equals(c.type()) && !c.status());
    return unreachable ? PowerState.UNKNOWN : s.observedPower();
  }

  public static OperationResponse toResponse(Operation op) {
    return new OperationResponse(
        op.operationId(),
        op.vmId(),
        op.type(),
        op.status(),
        op.step(),
        op.errorType() == null && op.errorMessage() == null
            ? null
            : new OperationResponse.Error(op.errorType(), op.errorMessage()),
        op.result() == null
            ? null
            : new OperationResponse.Result(
                op.result().location(),
                op.result().format(),
                op.result().sizeBytes(),
                op.result().sha256(),
                op.result().vmId(),
                op.result().host()),
        op.createdAt(),
        op.updatedAt());
  }
}
