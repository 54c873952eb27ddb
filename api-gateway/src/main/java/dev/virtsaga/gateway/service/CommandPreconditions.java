package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.VmState;
import dev.virtsaga.events.state.SnapshotView;
import dev.virtsaga.events.state.VmSnapshot;
import dev.virtsaga.gateway.ConflictException;
import dev.virtsaga.gateway.NotFoundException;
import dev.virtsaga.providers.spi.Capability;
import java.util.Optional;

/**
 * What a command needs of the VM as the read model shows it, checked before it is published (the
 * orchestrator checks again against the aggregate and rejects what slips through). Plain logic: the
 * VM snapshot and the providers' declarations in, a {@code GatewayException} out.
 */
final class CommandPreconditions {
  private CommandPreconditions() {}

  /**
   * Checks a command.
   *
   * @param vm the VM the command is about; {@code null} for a create
   * @throws NotFoundException a clone or export names a snapshot the VM does not have
   * @throws ConflictException the snapshot is not ready, a migration targets the VM's own host, an
   *     abort finds no migration
   * @throws dev.virtsaga.gateway.UnknownProviderHostException a migration or an import names a host
   *     the provider does not declare
   */
  static void check(CommandRequest request, VmSnapshot vm, ProviderRegistry providers) {
    switch (request.type()) {
      case RECONFIGURE -> {
        if (request.spec() != null
            && vm != null
            && vm.spec() != null
            && request.spec().diskGiB() != vm.spec().diskGiB()) {
          providers.requireCapability(
              vm.spec().provider(), Capability.DISK_RESIZE, "adding or growing disks");
        }
      }
      case CREATE -> {
        if (request.spec() != null && request.spec().host() != null) {
          providers.requireKnownHost(request.spec().provider(), "host", request.spec().host());
        }
      }
      case CLONE -> requireSnapshot(vm, request.cloneTo().snapshotId());
      case DISK_EXPORT -> requireSnapshot(vm, request.export().snapshotId());
      case MIGRATE -> {
        String provider = vm.spec() == null ? null : vm.spec().provider();
        providers.requireKnownHost(provider, "host", request.targetHost());
        Optional<String> current = providers.currentHost(vm.spec());
        if (current.isPresent() && current.get().equals(request.targetHost())) {
          throw new ConflictException(
              "already-on-host",
              "VM " + vm.vmId() + " is on host " + request.targetHost() + " already");
        }
      }
      case ABORT -> {
        if (vm.state() != VmState.MIGRATING) {
          throw new ConflictException(
              "not-migrating",
              "VM " + vm.vmId() + " is not migrating (it is " + vm.state() + "): nothing to abort");
        }
      }
      default -> {
        // no precondition beyond the VM existing and being free
      }
    }
  }

  /** A snapshot the VM has and that is ready to be copied; {@code null} asks for none. */
  private static void requireSnapshot(VmSnapshot vm, String snapshotId) {
    if (snapshotId == null) {
      return;
    }
    SnapshotView snapshot =
        vm.snapshots() == null
            ? null
            : vm.snapshots().stream()
                .filter(s -> s.id().equals(snapshotId))
                .findFirst()
                .orElse(null);
    if (snapshot == null) {
      throw new NotFoundException("VM " + vm.vmId() + " has no snapshot " + snapshotId);
    }
    if (snapshot.phase() != SnapshotView.SnapshotPhase.SUCCEEDED) {
      throw new ConflictException(
          "snapshot-not-ready",
          "snapshot " + snapshotId + " of VM " + vm.vmId() + " is " + snapshot.phase());
    }
  }
}
