package dev.virtsaga.gateway.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.lifecycle.PowerDrifted;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.Condition;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.rest.VmResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdoptAndDriftMappingTest {
  static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

  @Test
  void anAdoptedVmIsNamedAfterItsProviderRefElseItsId() {
    assertThat(CommandMapper.adoptedName("Web Server 01", "id")).isEqualTo("web-server-01");
    assertThat(CommandMapper.adoptedName("--db_main.example.org--", "id"))
        .isEqualTo("db-main-example-org");
    assertThat(CommandMapper.adoptedName("x".repeat(70) + "-y", "id")).isEqualTo("x".repeat(63));
    assertThat(CommandMapper.adoptedName("a" + "-".repeat(62) + "b", "id")).isEqualTo("a-b");
    assertThat(CommandMapper.adoptedName("___", "4F1C-aa")).isEqualTo("4f1c-aa");
    assertThat(CommandMapper.adoptedName(null, "vm-7")).isEqualTo("vm-7");
    assertThat(CommandMapper.adoptedName(null, "%%")).isEqualTo("adopted-vm");
  }

  @Test
  void aPowerDriftSaysNothingAboutAnOperation() {
    PowerDrifted drift =
        new PowerDrifted(
            "vm", VmState.RUNNING, PowerState.ON, PowerState.OFF, DriftPolicy.ENFORCE, "op-7", T0);

    assertThat(LifecycleMapper.toOperationUpdate(drift)).isEmpty();
  }

  @Test
  void theResponseShowsTheEffectiveDriftPolicyAndUnknownPowerWhenUnreachable() {
    VmSpec spec = new VmSpec("a", "libvirt", 1, 64, 0, null, null);
    VmSnapshot reachable = snapshot(spec, List.of());
    VmSnapshot unreachable =
        snapshot(
            spec.withDriftPolicy(DriftPolicy.ENFORCE),
            List.of(new Condition("ProviderReachable", false, "Timeout", null, T0)));

    VmResponse shown = ViewMapper.toResponse(reachable);
    VmResponse lost = ViewMapper.toResponse(unreachable);

    assertThat(shown.power()).isEqualTo(PowerState.ON);
    assertThat(shown.spec().driftPolicy()).isEqualTo(DriftPolicy.ADOPT);
    assertThat(lost.power()).isEqualTo(PowerState.UNKNOWN);
    assertThat(lost.state()).isEqualTo(VmState.RUNNING);
    assertThat(lost.spec().driftPolicy()).isEqualTo(DriftPolicy.ENFORCE);
    assertThat(lost.conditions()).hasSize(1);
  }

  static VmSnapshot snapshot(VmSpec spec, List<Condition> conditions) {
    return new VmSnapshot(
        "vm",
        "t",
        spec,
        VmState.RUNNING,
        PowerState.ON,
        conditions,
        3,
        T0,
        T0,
        null,
        null,
        null,
        null,
        null);
  }
}
