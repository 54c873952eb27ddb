package dev.virtsaga.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every state × every trigger: allowed (to where) or rejected, written out independently. */
class VmStateMachineTest {

  /** Columns in {@link Trigger} order; "-" = rejected, otherwise the target state's initials. */
  private static final String[] HEADER = {
    "START",
    "STOP",
    "REBOOT",
    "SUSPEND",
    "RESUME",
    "RECONFIGURE",
    "MIGRATE",
    "DELETE",
    "PROVISION",
    "PROVISIONED",
    "STARTED",
    "STOPPED",
    "REBOOTED",
    "SUSPENDED",
    "RESUMED",
    "DELETED",
    "FAIL"
  };

  private static final Map<String, VmState> ABBREV =
      Map.ofEntries(
          Map.entry("STG", VmState.STARTING),
          Map.entry("STP", VmState.STOPPING),
          Map.entry("RBT", VmState.REBOOTING),
          Map.entry("SSG", VmState.SUSPENDING),
          Map.entry("SSD", VmState.SUSPENDED),
          Map.entry("RSG", VmState.RESUMING),
          Map.entry("RCF", VmState.RECONFIGURING),
          Map.entry("MIG", VmState.MIGRATING),
          Map.entry("DLG", VmState.DELETING),
          Map.entry("PRV", VmState.PROVISIONING),
          Map.entry("RUN", VmState.RUNNING),
          Map.entry("OFF", VmState.STOPPED),
          Map.entry("DEL", VmState.DELETED),
          Map.entry("FLD", VmState.FAILED));

  private static final String[][] TABLE = {
    /* PENDING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "PRV", "-", "-", "-", "-", "-", "-", "-", "FLD"
    },
    /* PROVISIONING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "STG", "-", "-", "-", "-", "-", "-", "FLD"
    },
    /* STARTING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "RUN", "-", "-", "-", "-", "-", "FLD"
    },
    /* RUNNING */ {
      "-", "STP", "RBT", "SSG", "-", "RCF", "MIG", "DLG", "-", "-", "-", "-", "-", "-", "-", "-",
      "-"
    },
    /* STOPPING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "OFF", "-", "-", "-", "-", "FLD"
    },
    /* STOPPED */ {
      "STG", "-", "-", "-", "-", "RCF", "MIG", "DLG", "-", "-", "-", "-", "-", "-", "-", "-", "-"
    },
    /* REBOOTING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "RUN", "-", "-", "-", "FLD"
    },
    /* SUSPENDING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "-", "SSD", "-", "-", "FLD"
    },
    /* SUSPENDED */ {
      "-", "STP", "-", "-", "RSG", "-", "-", "DLG", "-", "-", "-", "-", "-", "-", "-", "-", "-"
    },
    /* RESUMING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "-", "-", "RUN", "-", "FLD"
    },
    /* RECONFIGURING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "-", "-", "-", "-", "FLD"
    },
    /* MIGRATING */ {
      "-", "-", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "-", "-", "-", "-", "FLD"
    },
    /* DELETING */ {
      "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "DEL", "FLD"
    },
    /* DELETED */ {
      "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"
    },
    /* FAILED */ {
      "STG", "STP", "-", "-", "-", "-", "-", "DLG", "-", "-", "-", "-", "-", "-", "-", "-", "-"
    },
  };

  static Stream<Arguments> everyStateAndTrigger() {
    List<Arguments> cases = new ArrayList<>();
    VmState[] states = VmState.values();
    for (int s = 0; s < states.length; s++) {
      for (int t = 0; t < HEADER.length; t++) {
        String cell = TABLE[s][t];
        cases.add(
            Arguments.of(
                states[s],
                Trigger.valueOf(HEADER[t]),
                cell.equals("-") ? Optional.empty() : Optional.of(ABBREV.get(cell))));
      }
    }
    return cases.stream();
  }

  @Test
  void tableCoversEveryStateAndTrigger() {
    assertThat(TABLE.length).isEqualTo(VmState.values().length);
    assertThat(HEADER)
        .containsExactly(Stream.of(Trigger.values()).map(Enum::name).toArray(String[]::new));
  }

  @ParameterizedTest(name = "{0} --{1}--> {2}")
  @MethodSource("everyStateAndTrigger")
  void transition(VmState from, Trigger trigger, Optional<VmState> expected) {
    assertThat(VmStateMachine.next(from, trigger)).isEqualTo(expected);
  }

  @Test
  void noTriggerLeavesDeleted() {
    for (Trigger t : Trigger.values()) {
      assertThat(VmStateMachine.next(VmState.DELETED, t)).isEmpty();
    }
  }

  @Test
  void cleanFailuresReturnOnlyToTheStateTheOperationBeganIn() {
    for (VmState from : VmState.values()) {
      for (VmState origin : VmState.values()) {
        boolean expected =
            (from == VmState.STARTING && (origin == VmState.STOPPED || origin == VmState.FAILED))
                || (from == VmState.STOPPING
                    && (origin == VmState.RUNNING
                        || origin == VmState.SUSPENDED
                        || origin == VmState.FAILED))
                || (from == VmState.REBOOTING && origin == VmState.RUNNING)
                || (from == VmState.SUSPENDING && origin == VmState.RUNNING)
                || (from == VmState.RESUMING && origin == VmState.SUSPENDED)
                || ((from == VmState.RECONFIGURING || from == VmState.MIGRATING)
                    && (origin == VmState.RUNNING || origin == VmState.STOPPED));
        assertThat(VmStateMachine.canAbort(from, origin))
            .as("%s -> %s", from, origin)
            .isEqualTo(expected);
      }
    }
  }
}
