package dev.virtsaga.gateway.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.VmSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmReadModelTest {
  static final Instant T = Instant.parse("2026-11-22T10:00:00Z");
  static final VmSpec SPEC = new VmSpec("a", "libvirt", 1, 64, 0, null, null);

  VmReadModel model = new VmReadModel();

  @Test
  void aSnapshotWithALowerVersionIsIgnoredAndAnEqualOneApplied() {
    assertThat(model.apply(snapshot("vm", "t", VmState.RUNNING, 3, T))).isTrue();

    assertThat(model.apply(snapshot("vm", "t", VmState.STOPPED, 2, T))).isFalse();
    assertThat(model.find("t", "vm")).map(VmSnapshot::state).contains(VmState.RUNNING);

    assertThat(model.apply(snapshot("vm", "t", VmState.FAILED, 3, T))).isTrue();
    assertThat(model.find("t", "vm")).map(VmSnapshot::state).contains(VmState.FAILED);
  }

  @Test
  void aProvisionalEntryIsReplacedByAnySnapshotButNeverReplacesOne() {
    model.putProvisional("vm", "t", SPEC, T);
    assertThat(model.find("t", "vm")).map(VmSnapshot::state).contains(VmState.PENDING);

    model.apply(snapshot("vm", "t", VmState.PROVISIONING, 0, T));
    assertThat(model.find("t", "vm")).map(VmSnapshot::state).contains(VmState.PROVISIONING);

    model.putProvisional("vm", "t", SPEC, T);
    assertThat(model.find("t", "vm")).map(VmSnapshot::state).contains(VmState.PROVISIONING);
  }

  @Test
  void removeDeletesAndOtherTenantsSeeNothing() {
    model.apply(snapshot("vm", "t", VmState.RUNNING, 1, T));

    assertThat(model.find("other", "vm")).isEmpty();
    assertThat(model.tenantOf("vm")).contains("t");
    assertThat(model.remove("vm")).isTrue();
    assertThat(model.find("t", "vm")).isEmpty();
  }

  @Test
  void listPagesOldestFirstWithTiesBrokenById() {
    model.apply(snapshot("c", "t", VmState.RUNNING, 1, T));
    model.apply(snapshot("b", "t", VmState.RUNNING, 1, T));
    model.apply(snapshot("a", "t", VmState.STOPPED, 1, T.plusSeconds(1)));
    model.apply(snapshot("z", "u", VmState.RUNNING, 1, T));

    assertThat(model.list("t", Optional.empty(), 0, 10).items())
        .extracting(VmSnapshot::vmId)
        .containsExactly("b", "c", "a");
    assertThat(model.list("t", Optional.empty(), 1, 1).items())
        .extracting(VmSnapshot::vmId)
        .containsExactly("c");
    assertThat(model.list("t", Optional.empty(), 1, 1).total()).isEqualTo(3);
    assertThat(model.list("t", Optional.of(VmState.STOPPED), 0, 10).items())
        .extracting(VmSnapshot::vmId)
        .containsExactly("a");
    assertThat(model.list("t", Optional.empty(), 9, Integer.MAX_VALUE).items()).isEmpty();
  }

  static VmSnapshot snapshot(
      String id, String tenant, VmState state, long version, Instant created) {
    return new VmSnapshot(
        id,
        tenant,
        SPEC,
        state,
        PowerState.ON,
        List.of(),
        version,
        created,
        created,
        null,
        null,
        null,
        null,
        null);
  }
}
