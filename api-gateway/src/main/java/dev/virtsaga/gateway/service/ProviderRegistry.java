package dev.virtsaga.gateway.service;

import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.gateway.NotSupportedException;
import dev.virtsaga.gateway.UnknownProviderHostException;
import dev.virtsaga.providers.spi.Capability;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each provider's worker last declared (from the compacted {@code vm.providers.v1}): its
 * capabilities, health, hosts and HTTP endpoint. Commands that need a capability the provider
 * declared it lacks are refused up front. A provider that has not declared anything yet is not
 * judged: its worker answers NOT_SUPPORTED itself.
 */
@ApplicationScoped
public class ProviderRegistry {
  /** The capability each command needs, if any. */
  private static final Map<CommandType, Capability> NEEDS = new EnumMap<>(CommandType.class);

  static {
    NEEDS.put(CommandType.REBOOT, Capability.REBOOT);
    NEEDS.put(CommandType.SUSPEND, Capability.SUSPEND_RESUME);
    NEEDS.put(CommandType.RESUME, Capability.SUSPEND_RESUME);
    NEEDS.put(CommandType.RECONFIGURE, Capability.RECONFIGURE);
    NEEDS.put(CommandType.SNAPSHOT_CREATE, Capability.SNAPSHOTS);
    NEEDS.put(CommandType.SNAPSHOT_DELETE, Capability.SNAPSHOTS);
    NEEDS.put(CommandType.SNAPSHOT_REVERT, Capability.SNAPSHOTS);
    NEEDS.put(CommandType.CLONE, Capability.CLONE);
    NEEDS.put(CommandType.MIGRATE, Capability.MIGRATION);
    NEEDS.put(CommandType.ABORT, Capability.MIGRATION);
    NEEDS.put(CommandType.DISK_EXPORT, Capability.DISK_EXPORT_IMPORT);
  }

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
   * @param spec a create's spec: a root disk needs {@link Capability#DISKS}, an imported one {@link
   *     Capability#DISK_EXPORT_IMPORT}
   * @throws NotSupportedException when the provider declared it lacks the needed capability
   */
  public void requireSupport(String provider, CommandType command, VmSpec spec) {
    Capability needed = NEEDS.get(command);
    String what = command.name().toLowerCase(Locale.ROOT);
    if (command == CommandType.CREATE && spec != null && spec.source() != null) {
      needed = Capability.DISK_EXPORT_IMPORT;
      what = "disk import";
    } else if (command == CommandType.CREATE && spec != null && spec.diskGiB() > 0) {
      needed = Capability.DISKS;
      what = "root disks (diskGiB > 0)";
    } else if (command == CommandType.DISK_EXPORT) {
      what = "disk export";
    }
    if (needed != null) {
      requireCapability(provider, needed, what);
    }
  }

  /**
   * Refuses what needs a capability the provider declared it lacks.
   *
   * @param what the request, as the problem's detail names it
   * @throws NotSupportedException when the provider declared it lacks {@code needed}
   */
  public void requireCapability(String provider, Capability needed, String what) {
    ProviderStatus status = provider == null ? null : providers.get(provider);
    if (status != null && !status.capabilities().contains(needed.name())) {
      throw new NotSupportedException(
          "provider "
              + provider
              + " does not support "
              + what
              + " (it declares "
              + String.join(", ", status.capabilities())
              + ")");
    }
  }

  /** The hosts the provider declares, the default first; empty when it declares none. */
  public List<String> hosts(String provider) {
    ProviderStatus status = provider == null ? null : providers.get(provider);
    return status == null || status.hosts() == null ? List.of() : status.hosts();
  }

  /**
   * Refuses a host the provider does not declare. A provider that declares no hosts is not judged.
   *
   * @param field the request field naming the host
   * @throws UnknownProviderHostException when the provider lists its hosts and this is not one
   */
  public void requireKnownHost(String provider, String field, String host) {
    List<String> hosts = hosts(provider);
    if (!hosts.isEmpty() && !hosts.contains(host)) {
      throw new UnknownProviderHostException(field, provider, host, hosts);
    }
  }

  /**
   * The host a VM is known to be on: its spec's (it was created on, or migrated to, that host).
   * Empty when the provider placed it (vSphere's DRS, the Kubernetes scheduler, a single-endpoint
   * worker): then a migration to where it already runs is the provider's to recognise, and it
   * succeeds at once.
   */
  public Optional<String> currentHost(VmSpec spec) {
    return spec == null ? Optional.empty() : Optional.ofNullable(spec.host());
  }
}
