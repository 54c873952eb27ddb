package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.gateway.NotSupportedException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each provider's worker last declared (from the compacted {@code vm.providers.v1}): its
 * capabilities and health. Commands that need a capability the provider declared it lacks are
 * refused up front. A provider that has not declared anything yet is not judged: its worker answers
 * NOT_SUPPORTED itself.
 */
@ApplicationScoped
public class ProviderRegistry {
  /** The capability (an SPI {@code Capability} name) each command needs, if any. */
  private static final Map<CommandType, String> NEEDS =
      Map.of(
          CommandType.REBOOT,
          "REBOOT",
          CommandType.SUSPEND,
          "SUSPEND_RESUME",
          CommandType.RESUME,
          "SUSPEND_RESUME",
          CommandType.RECONFIGURE,
          "RECONFIGURE",
          CommandType.SNAPSHOT_CREATE,
          "SNAPSHOTS",
          CommandType.SNAPSHOT_DELETE,
          "SNAPSHOTS",
          CommandType.SNAPSHOT_REVERT,
          "SNAPSHOTS");

  private final Map<String, ProviderStatus> providers = new ConcurrentHashMap<>();

  /** Records a status, unless an already known one is newer. */
  public void apply(ProviderStatus status) {
    providers.merge(
        status.provider(), status, (old, next) -> next.at().isBefore(old.at()) ? old : next);
  }

  public void remove(String provider) {
    providers.remove(provider);
  }

  public List<ProviderStatus> all() {
    return providers.values().stream()
        .sorted(Comparator.comparing(ProviderStatus::provider))
        .toList();
  }

  public Optional<ProviderStatus> find(String provider) {
    return Optional.ofNullable(providers.get(provider));
  }

  /**
   * Refuses a command the VM's provider cannot carry out.
   *
   * @throws NotSupportedException when the provider declared it lacks the needed capability
   */
  public void requireSupport(String provider, CommandType command, VmSpec spec) {
    String needed = NEEDS.get(command);
    if (command == CommandType.CREATE && spec != null && spec.diskGiB() > 0) {
      needed = "DISKS";
    }
    if (needed == null || provider == null) {
      return;
    }
    ProviderStatus status = providers.get(provider);
    if (status != null && !status.capabilities().contains(needed)) {
      throw new NotSupportedException(
          "provider "
              + provider
              + " does not support "
              + (command == CommandType.CREATE
                  ? "root disks (diskGiB > 0)"
                  : command.name().toLowerCase())
              + " (it declares "
              + String.join(", ", status.capabilities())
              + ")");
    }
  }
}
