package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link Capability#SUSPEND_RESUME}: {@link PowerOp#SUSPEND} and {@link PowerOp#RESUME}. */
public abstract class SuspendResumeConformanceTest extends CapabilityConformanceTest {

  @Override
  protected final Capability capability() {
    return Capability.SUSPEND_RESUME;
  }

  @Test
  void suspendPausesARunningVmAndIsIdempotent() {
    // Given
    String vmId = newVm("conf-suspend");
    call(provider.power(vmId, null, PowerOp.ON));

    // When
    call(provider.power(vmId, null, PowerOp.SUSPEND));
    call(provider.power(vmId, null, PowerOp.SUSPEND));

    // Then
    assertThat(describe(vmId).power()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void resumeRunsAPausedVmAgainAndIsIdempotent() {
    // Given
    String vmId = newVm("conf-resume");
    call(provider.power(vmId, null, PowerOp.ON));
    call(provider.power(vmId, null, PowerOp.SUSPEND));

    // When
    call(provider.power(vmId, null, PowerOp.RESUME));
    call(provider.power(vmId, null, PowerOp.RESUME));

    // Then
    assertThat(describe(vmId).power()).isEqualTo(PowerState.ON);
  }

  @Test
  void aPausedVmCanBeStoppedAndDeleted() {
    // Given
    String vmId = newVm("conf-suspend-off");
    call(provider.power(vmId, null, PowerOp.ON));
    call(provider.power(vmId, null, PowerOp.SUSPEND));

    // When
    call(provider.power(vmId, null, PowerOp.OFF));

    // Then
    assertThat(describe(vmId).power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void suspendAndResumeOfAStoppedVmAreConflicts() {
    // Given
    String vmId = newVm("conf-suspend-stopped");

    // When / Then
    assertThat(errorOf(provider.power(vmId, null, PowerOp.SUSPEND))).isEqualTo(ErrorType.CONFLICT);
    assertThat(errorOf(provider.power(vmId, null, PowerOp.RESUME))).isEqualTo(ErrorType.CONFLICT);
    assertThat(describe(vmId).power()).isEqualTo(PowerState.OFF);
  }

  @Test
  void suspendOfAnUnknownVmIsNotFound() {
    assertThat(errorOf(provider.power(UUID.randomUUID().toString(), null, PowerOp.SUSPEND)))
        .isEqualTo(ErrorType.NOT_FOUND);
  }
}
