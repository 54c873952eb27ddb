package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.libvirt.DomainXml.Tag;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.DomainInterface;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The provider SPI on libvirt (libvirt-java over JNA). Every libvirt call is blocking, so each
 * method runs on the executor given to the constructor when its Uni is subscribed, never on the
 * caller's thread.
 *
 * <p>Managed domains carry our metadata tag and a UUID derived from the vmId (see {@link
 * DomainXml}); the providerRef is the domain's UUID. Domains without the tag are invisible.
 */
public final class LibvirtProvider implements Provider, AutoCloseable {
  public static final String NAME = "libvirt";

  private static final Logger LOG = Logger.getLogger(LibvirtProvider.class);
  private static final int UNDEFINE_FLAGS =
      Domain.UndefineFlags.MANAGED_SAVE | Domain.UndefineFlags.SNAPSHOTS_METADATA;

  private final LibvirtSettings settings;
  private final DriverKind driver;
  private final LibvirtConnection connection;
  private final Executor executor;

  /**
   * @param uri {@code test:///default}, {@code qemu:///system}, …
   * @param executor runs the blocking libvirt calls (a worker pool, never an event loop)
   */
  public LibvirtProvider(String uri, Executor executor) {
    this(LibvirtSettings.of(uri), executor);
  }

  public LibvirtProvider(LibvirtSettings settings, Executor executor) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.driver = settings.driver();
    this.connection = new LibvirtConnection(settings.uri());
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    Set<Capability> caps =
        EnumSet.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.SUSPEND_RESUME);
    if (driver == DriverKind.QEMU) {
      caps.add(Capability.DISKS);
    }
    return caps;
  }

  /** The connection, for tests. */
  LibvirtConnection connection() {
    return connection;
  }

  @Override
  public Uni<Void> validate() {
    return blocking(
        "validate " + settings.uri(),
        c -> {
          c.getLibVersion();
          return null;
        });
  }

  @Override
  public Uni<CreateResult> create(CreateRequest request) {
    return blocking(
        "create VM " + request.vmId(),
        c -> {
          request.requireValid();
          String uuid = DomainXml.uuidOf(request.vmId()).toString();
          Optional<Domain> existing = lookup(c, uuid);
          if (existing.isPresent()) {
            Optional<Tag> tag = tagOf(existing.get());
            if (tag.isPresent() && tag.get().vmId().equals(request.vmId())) {
              return new CreateResult(uuid, null, false);
            }
            throw ProviderException.conflict(
                "domain " + uuid + " exists but is not tagged with vmId " + request.vmId());
          }
          String volume = driver == DriverKind.QEMU ? rootVolume(c, request) : null;
          Domain d =
              c.domainDefineXML(DomainXml.domain(request, driver, settings.storagePool(), volume));
          LOG.infof(
              "defined domain %s vmId=%s operationId=%s provider=%s",
              d.getName(), request.vmId(), request.operationId(), NAME);
          return new CreateResult(d.getUUIDString(), null, true);
        });
  }

  @Override
  public Uni<Void> delete(String vmId, String providerRef) {
    return blocking(
        "delete VM " + vmId,
        c -> {
          Optional<Domain> found = find(c, vmId, providerRef);
          if (found.isPresent()) {
            Domain d = found.get();
            String name = d.getName();
            try {
              if (d.isActive() == 1) {
                d.destroy();
              }
            } catch (LibvirtException e) {
              if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                throw e; // OPERATION_INVALID: it stopped by itself meanwhile
              }
            }
            undefine(d);
            LOG.infof("undefined domain %s vmId=%s provider=%s", name, vmId, NAME);
          }
          if (driver == DriverKind.QEMU) {
            deleteRootVolume(c, vmId);
          }
          return null;
        });
  }

  @Override
  public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
    return blocking(
        op + " VM " + vmId,
        c -> {
          Domain d =
              find(c, vmId, providerRef)
                  .orElseThrow(() -> ProviderException.notFound("no domain for VM " + vmId));
          DomainState state = d.getInfo().state;
          switch (op) {
            case ON -> {
              if (state == DomainState.VIR_DOMAIN_PAUSED) {
                d.resume();
              } else if (state == DomainState.VIR_DOMAIN_SHUTOFF
                  || state == DomainState.VIR_DOMAIN_CRASHED) {
                d.create();
              } else if (!isRunning(state)) {
                throw conflict(vmId, op, state);
              }
            }
            case OFF -> {
              if (state != DomainState.VIR_DOMAIN_SHUTOFF) {
                d.destroy();
              }
            }
            case SHUTDOWN_GRACEFUL -> {
              if (state != DomainState.VIR_DOMAIN_SHUTOFF) {
                d.shutdown();
              }
            }
            case REBOOT -> {
              if (!isRunning(state)) {
                throw conflict(vmId, op, state);
              }
              d.reboot(0);
            }
            case SUSPEND -> {
              if (isRunning(state)) {
                d.suspend();
              } else if (state != DomainState.VIR_DOMAIN_PAUSED) {
                throw conflict(vmId, op, state);
              }
            }
            case RESUME -> {
              if (state == DomainState.VIR_DOMAIN_PAUSED) {
                d.resume();
              } else if (!isRunning(state)) {
                throw conflict(vmId, op, state);
              }
            }
          }
          return null;
        });
  }

  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return blocking(
        "describe VM " + vmId,
        c -> {
          Optional<Domain> d = find(c, vmId, providerRef);
          if (d.isEmpty()) {
            return VmDescription.absent(vmId);
          }
          try {
            return describe(d.get(), vmId, tagOf(d.get()).map(Tag::operationId).orElse(null), true);
          } catch (LibvirtException e) {
            if (LibvirtErrors.codeOf(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
              return VmDescription.absent(vmId); // undefined between lookup and info
            }
            throw e;
          }
        });
  }

  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    return blocking(
        "list VMs",
        c -> {
          if (pageSize < 1) {
            throw ProviderException.invalidSpec("pageSize must be at least 1, was " + pageSize);
          }
          List<VmDescription> managed = new ArrayList<>();
          for (Domain d : c.listAllDomains(0)) {
            try {
              Optional<Tag> tag = tagOf(d);
              if (tag.isPresent()
                  && (pageToken == null || tag.get().vmId().compareTo(pageToken) > 0)) {
                managed.add(describe(d, tag.get().vmId(), tag.get().operationId(), false));
              }
            } catch (LibvirtException e) {
              if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
                throw e; // NO_DOMAIN: undefined while we listed
              }
            }
          }
          managed.sort(Comparator.comparing(VmDescription::vmId));
          if (managed.size() <= pageSize) {
            return new Page<>(managed, null);
          }
          List<VmDescription> page = managed.subList(0, pageSize);
          return new Page<>(page, page.get(pageSize - 1).vmId());
        });
  }

  @Override
  public Uni<TaskState> taskStatus(String taskRef) {
    return Uni.createFrom()
        .failure(
            ProviderException.notFound(
                "no task " + taskRef + ": libvirt operations complete synchronously"));
  }

  @Override
  public void close() {
    connection.close();
  }

  // ---- lookups ----------------------------------------------------------------------------

  /** The managed domain of a vmId: by providerRef when given, else by the derived UUID. */
  private Optional<Domain> find(Connect c, String vmId, String providerRef)
      throws LibvirtException {
    if (providerRef != null && !providerRef.isBlank()) {
      Optional<Domain> byRef = lookup(c, providerRef).filter(d -> isTaggedWith(d, vmId));
      if (byRef.isPresent()) {
        return byRef;
      }
    }
    return lookup(c, DomainXml.uuidOf(vmId).toString()).filter(d -> isTaggedWith(d, vmId));
  }

  private static Optional<Domain> lookup(Connect c, String uuid) throws LibvirtException {
    try {
      return Optional.of(c.domainLookupByUUIDString(uuid));
    } catch (LibvirtException e) {
      ErrorNumber code = LibvirtErrors.codeOf(e);
      if (code == ErrorNumber.VIR_ERR_NO_DOMAIN || code == ErrorNumber.VIR_ERR_INVALID_ARG) {
        return Optional.empty(); // INVALID_ARG: a providerRef that is not a UUID
      }
      throw e;
    }
  }

  private static boolean isTaggedWith(Domain d, String vmId) {
    try {
      return tagOf(d).map(t -> t.vmId().equals(vmId)).orElse(false);
    } catch (LibvirtException e) {
      return false;
    }
  }

  private static Optional<Tag> tagOf(Domain d) throws LibvirtException {
    try {
      return DomainXml.parseTag(d.getMetadata(Domain.MetadataType.ELEMENT, DomainXml.NAMESPACE, 0));
    } catch (LibvirtException e) {
      ErrorNumber code = LibvirtErrors.codeOf(e);
      if (code == ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA || code == ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return Optional.empty();
      }
      throw e;
    }
  }

  // ---- describe -----------------------------------------------------------------------------

  private VmDescription describe(Domain d, String vmId, String operationId, boolean full)
      throws LibvirtException {
    DomainInfo info = d.getInfo();
    PowerState power = powerOf(info.state);
    List<String> ips = List.of();
    String console = null;
    if (full && driver == DriverKind.QEMU && power == PowerState.ON) {
      ips = ipsOf(d);
      console =
          DomainXml.vncPort(d.getXMLDesc(0))
              .map(p -> "vnc://" + consoleHost() + ":" + p)
              .orElse(null);
    }
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("name", d.getName());
    raw.put("uuid", d.getUUIDString());
    raw.put("state", String.valueOf(info.state));
    raw.put("vcpus", String.valueOf(info.nrVirtCpu));
    raw.put("memoryKiB", String.valueOf(info.maxMem));
    raw.put("uri", settings.uri());
    if (operationId != null) {
      raw.put("operationId", operationId);
    }
    return new VmDescription(vmId, d.getUUIDString(), true, power, ips, console, raw);
  }

  /** libvirt's domain state as the SPI's power state. */
  public static PowerState powerOf(DomainState state) {
    if (state == null) {
      return PowerState.UNKNOWN;
    }
    return switch (state) {
      case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> PowerState.ON;
      case VIR_DOMAIN_SHUTOFF -> PowerState.OFF;
      case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> PowerState.PAUSED;
      case VIR_DOMAIN_CRASHED -> PowerState.CRASHED;
      default -> PowerState.UNKNOWN;
    };
  }

  private static List<String> ipsOf(Domain d) {
    try {
      List<String> ips = new ArrayList<>();
      for (DomainInterface i :
          d.interfaceAddresses(
              Domain.InterfaceAddressesSource.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0)) {
        if (i.addrs != null) {
          for (DomainInterface.InterfaceAddress a : i.addrs) {
            InetAddress addr = a.address;
            if (addr != null) {
              ips.add(addr.getHostAddress());
            }
          }
        }
      }
      return ips;
    } catch (LibvirtException | RuntimeException e) {
      return List.of(); // no lease (no network, guest without DHCP): not an error for describe
    }
  }

  private String consoleHost() {
    String host = URI.create(settings.uri()).getHost();
    return host == null || host.isBlank() ? "127.0.0.1" : host;
  }

  private static boolean isRunning(DomainState state) {
    return state == DomainState.VIR_DOMAIN_RUNNING || state == DomainState.VIR_DOMAIN_BLOCKED;
  }

  private static ProviderException conflict(String vmId, PowerOp op, DomainState state) {
    return ProviderException.conflict("cannot " + op + " VM " + vmId + " in state " + state);
  }

  // ---- storage and undefine ------------------------------------------------------------------

  private static void undefine(Domain d) throws LibvirtException {
    try {
      d.undefine(UNDEFINE_FLAGS);
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
        throw e;
      }
    }
  }

  private String rootVolume(Connect c, CreateRequest request) throws LibvirtException {
    if (request.diskGiB() == 0) {
      return null;
    }
    if (request.image() != null && !request.image().startsWith("/")) {
      throw ProviderException.invalidSpec(
          "libvirt images are absolute paths of qcow2 base images, not " + request.image());
    }
    StoragePool pool = ensurePool(c);
    String name = DomainXml.volumeName(request.vmId());
    try {
      pool.storageVolLookupByName(name);
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
      pool.storageVolCreateXML(DomainXml.volume(name, request.diskGiB(), request.image()), 0);
    }
    return name;
  }

  private StoragePool ensurePool(Connect c) throws LibvirtException {
    StoragePool pool;
    try {
      pool = c.storagePoolLookupByName(settings.storagePool());
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
        throw e;
      }
      pool =
          c.storagePoolDefineXML(
              DomainXml.dirPool(settings.storagePool(), settings.storagePoolPath()), 0);
      pool.build(0);
      pool.setAutostart(1);
      LOG.infof(
          "defined storage pool %s at %s", settings.storagePool(), settings.storagePoolPath());
    }
    if (pool.isActive() != 1) {
      pool.create(0);
    }
    return pool;
  }

  private void deleteRootVolume(Connect c, String vmId) throws LibvirtException {
    try {
      StoragePool pool = c.storagePoolLookupByName(settings.storagePool());
      if (pool.isActive() != 1) {
        return;
      }
      pool.storageVolLookupByName(DomainXml.volumeName(vmId)).delete(0);
    } catch (LibvirtException e) {
      ErrorNumber code = LibvirtErrors.codeOf(e);
      if (code != ErrorNumber.VIR_ERR_NO_STORAGE_POOL
          && code != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
    }
  }

  // ---- running blocking calls ----------------------------------------------------------------

  private <T> Uni<T> blocking(String what, LibvirtConnection.Call<T> call) {
    return Uni.createFrom()
        .<T>item(
            () -> {
              try {
                return connection.call(call);
              } catch (LibvirtException e) {
                throw LibvirtErrors.toProviderException(what, e);
              } catch (ProviderException e) {
                throw e;
              } catch (LinkageError e) {
                throw new ProviderException(
                    ErrorType.UNAVAILABLE, what + ": libvirt library not usable: " + e, e);
              } catch (RuntimeException e) {
                throw new ProviderException(ErrorType.RETRYABLE, what + ": " + e, e);
              }
            })
        .runSubscriptionOn(executor);
  }
}
