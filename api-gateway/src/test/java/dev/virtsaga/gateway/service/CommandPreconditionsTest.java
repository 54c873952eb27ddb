package dev.virtsaga.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.DiskSource;
import dev.virtsaga.events.model.PowerState;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.SnapshotView.SnapshotPhase;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.ConflictException;
import dev.virtsaga.gateway.GatewayException;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.gateway.NotSupportedException;
import dev.virtsaga.gateway.UnknownProviderHostException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's checks of clone, migrate, abort, export and import against the read model. */
class CommandPreconditionsTest {
  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

  ProviderRegistry providers = new ProviderRegistry();

  @Test
  void aCloneOrExportFromASnapshotNeedsTheSnapshotAndItMustBeReady() {
    VmSnapshot vm = vm("p", null, VmState.RUNNING);

    assertThatCode(() -> check(clone("s-ok"), vm)).doesNotThrowAnyException();
    assertThatCode(() -> check(clone(null), vm)).doesNotThrowAnyException();
    assertThatCode(() -> check(export("s-ok"), vm)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(clone("s-none"), vm))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no snapshot s-none");
    assertThatThrownBy(() -> check(export("s-none"), vm)).isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> check(clone("s-failed"), vm))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("FAILED")
        .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo("snapshot-not-ready"));
  }

  @Test
  void aMigrationTargetMustBeADeclaredHostOtherThanTheCurrentOne() {
    declare("p", List.of("h1", "h2", "h3"));
    VmSnapshot onDefault = vm("p", null, VmState.RUNNING);
    VmSnapshot onH2 = vm("p", "h2", VmState.RUNNING);

    assertThatCode(() -> check(migrate("h2"), onDefault)).doesNotThrowAnyException();
    assertThatCode(() -> check(migrate("h1"), onH2)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(migrate("h9"), onDefault))
        .isInstanceOf(UnknownProviderHostException.class)
        .hasMessageContaining("h9")
        .hasMessageContaining("known hosts: h1, h2, h3")
        .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(422));
    // a spec naming no host: the provider placed it, and knows whether it is there already
    assertThatCode(() -> check(migrate("h1"), onDefault)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(migrate("h2"), onH2))
        .isInstanceOf(ConflictException.class)
        .satisfies(e -> assertThat(((GatewayException) e).kind()).isEqualTo("already-on-host"));
  }

  @Test
  void aProviderThatDeclaresNoHostsIsNotJudged() {
    VmSnapshot vm = vm("silent", null, VmState.RUNNING);

    assertThatCode(() -> check(migrate("anywhere"), vm)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(migrate("here"), vm("silent", "here", VmState.RUNNING)))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void anAbortNeedsAMigratingVm() {
    assertThatCode(() -> check(abort(), vm("p", null, VmState.MIGRATING)))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> check(abort(), vm("p", null, VmState.RUNNING)))
        .isInstanceOf(ConflictException.class)
        .hasMessageContaining("not migrating")
        .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(409));
  }

  @Test
  void anImportOntoAHostNeedsADeclaredHost() {
    declare("p", List.of("h1", "h2"));

    assertThatCode(() -> check(importTo("p", "h2"), null)).doesNotThrowAnyException();
    assertThatCode(() -> check(importTo("p", null), null)).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(importTo("p", "h7"), null))
        .isInstanceOf(UnknownProviderHostException.class);
  }

  @Test
  void theNewCommandsNeedTheirCapabilities() {
    providers.apply(
        new ProviderStatus("bare", List.of("REBOOT", "DISKS"), ProviderHealth.HEALTHY, NOW, null));
    VmSpec imported =
        new VmSpec(
            "x",
            "bare",
            1,
            512,
            0,
            null,
            null,
            null,
            new DiskSource("file:///x", "qcow2", "0".repeat(64)));

    for (CommandType type :
        List.of(
            CommandType.CLONE, CommandType.MIGRATE, CommandType.ABORT, CommandType.DISK_EXPORT)) {
      assertThatThrownBy(() -> providers.requireSupport("bare", type, null))
          .isInstanceOf(NotSupportedException.class);
    }
    assertThatThrownBy(() -> providers.requireSupport("bare", CommandType.CREATE, imported))
        .isInstanceOf(NotSupportedException.class)
        .hasMessageContaining("disk import");
    assertThatCode(
            () ->
                providers.requireSupport(
                    "bare", CommandType.CREATE, new VmSpec("x", "bare", 1, 512, 5, null, null)))
        .doesNotThrowAnyException();
    // a provider that declared nothing yet is not judged
    assertThatCode(() -> providers.requireSupport("unknown", CommandType.CLONE, null))
        .doesNotThrowAnyException();
  }

  @Test
  void growingADiskNeedsDiskResizeButCpusAndMemoryDoNot() {
    providers.apply(
        new ProviderStatus(
            "fixed", List.of("RECONFIGURE", "DISKS"), ProviderHealth.HEALTHY, NOW, null));
    VmSnapshot vm = vm("fixed", null, VmState.RUNNING);
    CommandRequest grow =
        new CommandRequest(
            CommandType.RECONFIGURE,
            "vm-1",
            new VmSpec("vm", "fixed", 1, 512, 2, null, null),
            null,
            null,
            "fp");
    CommandRequest cpus =
        new CommandRequest(
            CommandType.RECONFIGURE,
            "vm-1",
            new VmSpec("vm", "fixed", 4, 1024, 1, null, null),
            null,
            null,
            "fp");
    assertThatThrownBy(() -> check(grow, vm))
        .isInstanceOf(NotSupportedException.class)
        .hasMessageContaining("growing disks");
    assertThatCode(() -> check(cpus, vm)).doesNotThrowAnyException();
    providers.apply(
        new ProviderStatus(
            "fixed",
            List.of("RECONFIGURE", "DISKS", "DISK_RESIZE"),
            ProviderHealth.HEALTHY,
            NOW,
            null));
    assertThatCode(() -> check(grow, vm)).doesNotThrowAnyException();
  }

  void check(CommandRequest request, VmSnapshot vm) {
    CommandPreconditions.check(request, vm, providers);
  }

  void declare(String provider, List<String> hosts) {
    providers.apply(
        new ProviderStatus(
            provider, List.of("MIGRATION"), ProviderHealth.HEALTHY, NOW, null, null, hosts));
  }

  static VmSnapshot vm(String provider, String host, VmState state) {
    VmSpec spec = new VmSpec("vm", provider, 1, 512, 1, null, null, host, null);
    return new VmSnapshot(
        "vm-1",
        "t",
        spec,
        state,
        PowerState.ON,
        List.of(),
        3,
        NOW,
        NOW,
        null,
        null,
        "ref",
        List.of(),
        null,
        List.of(
            new SnapshotView("s-ok", "ok", SnapshotPhase.SUCCEEDED, NOW, null),
            new SnapshotView("s-failed", "bad", SnapshotPhase.FAILED, NOW, "boom")));
  }

  static CommandRequest clone(String snapshotId) {
    return new CommandRequest(
        CommandType.CLONE,
        "vm-1",
        null,
        null,
        null,
        "f",
        null,
        null,
        new CloneArgs(null, "copy", snapshotId),
        null,
        null);
  }

  static CommandRequest export(String snapshotId) {
    return new CommandRequest(
        CommandType.DISK_EXPORT,
        "vm-1",
        null,
        null,
        null,
        "f",
        null,
        null,
        null,
        null,
        new DiskExportArgs("file:///x", "qcow2", null, snapshotId));
  }

  static CommandRequest migrate(String host) {
    return new CommandRequest(
        CommandType.MIGRATE, "vm-1", null, null, null, "f", null, null, null, host, null);
  }

  static CommandRequest abort() {
    return new CommandRequest(CommandType.ABORT, "vm-1", null, null, null, "f");
  }

  static CommandRequest importTo(String provider, String host) {
    VmSpec spec =
        new VmSpec(
            "x",
            provider,
            1,
            512,
            0,
            null,
            null,
            host,
            new DiskSource("file:///x", "qcow2", "0".repeat(64)));
    return new CommandRequest(CommandType.CREATE, null, spec, null, null, "f");
  }
}
