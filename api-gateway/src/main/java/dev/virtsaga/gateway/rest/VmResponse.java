package dev.virtsaga.gateway.rest;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A VM as the read model shows it. */
@Schema(name = "Vm")
public record VmResponse(
    String id,
    String name,
    String provider,
    Spec spec,
    VmState state,
    @Schema(
            description =
                "Power state last observed on the hypervisor; UNKNOWN while the provider is"
                    + " unreachable (condition ProviderReachable false), whatever was seen last")
        PowerState power,
    @Schema(description = "The operation in flight, if any") OperationSummary operation,
    String lastOperationId,
    List<ConditionView> conditions,
    List<String> ips,
    @Schema(description = "Increases with every change; 0 until the orchestrator reports")
        long version,
    ErrorView lastError,
    Instant createdAt,
    Instant updatedAt) {

  @Schema(name = "VmSpec")
  public record Spec(
      String name,
      String provider,
      int cpus,
      long memoryMiB,
      long diskGiB,
      String image,
      Map<String, String> labels,
      @Schema(description = "The provider's host it runs on; absent: the provider's default host")
          String host,
      @Schema(description = "The disk image its root disk was imported from") Source source,
      @Schema(
              description =
                  "What happens when its power changes behind VirtSaga's back (the policy in"
                      + " force: ADOPT when none was given)")
          DriftPolicy driftPolicy) {}

  @Schema(name = "VmDiskSource")
  public record Source(String url, String format, String sha256) {}

  @Schema(name = "VmOperation")
  public record OperationSummary(
      String id, CommandType type, String step, int attempt, Instant deadline, Instant startedAt) {}

  @Schema(name = "Condition")
  public record ConditionView(
      String type, boolean status, String reason, String message, Instant since) {}

  @Schema(name = "VmError")
  public record ErrorView(String type, String message, boolean retryable) {}
}
