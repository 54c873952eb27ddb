package dev.virtsaga.orchestrator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Invariant 1: transitional ⇔ operation ≠ null ⇔ deadline set. */
class VmTest {
  private static final VmSpec SPEC = new VmSpec("a", "libvirt", 1, 128, 0, null, null);
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static Vm vm(VmState state, Operation op) {
    return new Vm("v", "t", SPEC, state, op, null, null, null, null, null, null, 1, NOW, NOW);
  }

  @Test
  void transitionalStateWithoutOperationIsImpossible() {
    for (VmState s : VmState.values()) {
      if (s.isTransitional()) {
        assertThatThrownBy(() -> vm(s, null)).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void stableStateWithOperationIsImpossible() {
    Operation op =
        new Operation(
            "o",
            CommandType.START,
            "start",
            1,
            NOW,
            NOW,
            VmState.STOPPED,
            false,
            null,
            null,
            null,
            null,
            null);
    for (VmState s : VmState.values()) {
      if (!s.isTransitional()) {
        assertThatThrownBy(() -> vm(s, op)).isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void operationWithoutDeadlineIsImpossible() {
    assertThatThrownBy(
            () ->
                new Operation(
                    "o",
                    CommandType.START,
                    "start",
                    1,
                    null,
                    NOW,
                    VmState.STOPPED,
                    false,
                    null,
                    null,
                    null,
                    null,
                    null))
        .isInstanceOf(NullPointerException.class);
  }
}
