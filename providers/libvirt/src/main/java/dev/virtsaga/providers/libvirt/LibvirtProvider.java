package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.libvirt.DomainXml.Tag;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.Console;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.DiskExportRequest;
import dev.virtsaga.providers.spi.DiskFormat;
import dev.virtsaga.providers.spi.DiskImportRequest;
import dev.virtsaga.providers.spi.DiskInfo;
import dev.virtsaga.providers.spi.DiskTransfer;
import dev.virtsaga.providers.spi.Disks;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Migration;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.Reconfigurable;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.ReconfigureRequest.DiskChange;
import dev.virtsaga.providers.spi.ReconfigureResult;
import dev.virtsaga.providers.spi.SnapshotInfo;
import dev.virtsaga.providers.spi.Snapshots;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import dev.virtsaga.providers.spi.VmList;
import dev.virtsaga.providers.spi.WatchEvent;
import dev.virtsaga.providers.spi.WatchSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.DomainInterface;
import org.libvirt.DomainJobInfo;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * The provider SPI on libvirt (libvirt-java over JNA). Every libvirt call is blocking, so each
 * method runs on the executor given to the constructor when its Uni is subscribed, never on the
 * caller's thread.
 *
 * <p>Managed domains carry our metadata tag and a UUID derived from the vmId (see {@link
 * DomainXml}); the providerRef is the domain's UUID. Domains without the tag are invisible.
 */
public final class LibvirtProvider
    implements Provider,
        Reconfigurable,
        Snapshots,
        Cloning,
        Disks,
        Console,
        Migration,
        WatchSource,
        AutoCloseable {
  public static final String NAME = "libvirt";

  private static final Logger LOG = Logger.getLogger(LibvirtProvider.class);
  private static final int UNDEFINE_FLAGS =
      Domain.UndefineFlags.MANAGED_SAVE | Domain.UndefineFlags.SNAPSHOTS_METADATA;

  private final LibvirtSettings settings;
  private final DriverKind driver;
  private final LibvirtConnection connection;
  private final Executor executor;
  private final LibvirtWatcher watcher;
  private final QemuImg qemuImg = QemuImg.defaults();
  private final HttpTransfer http = HttpTransfer.defaults();

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
    this.watcher = new LibvirtWatcher(settings.uri(), this::describeManaged);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Set<Capability> capabilities() {
    Set<Capability> caps =
        EnumSet.of(
            Capability.GRACEFUL_SHUTDOWN,
            Capability.REBOOT,
            Capability.SUSPEND_RESUME,
            Capability.RECONFIGURE,
            Capability.SNAPSHOTS,
            Capability.CLONE,
            Capability.WATCH);
    if (driver == DriverKind.QEMU) {
      caps.add(Capability.DISKS);
      caps.add(Capability.DISK_RESIZE);
      caps.add(Capability.DISK_EXPORT_IMPORT);
      caps.add(Capability.CONSOLE);
      caps.add(Capability.MIGRATION);
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
            deleteRootVolume(c, vmId); // the overlays first, then the image they are layered on
            deleteImportOf(c, vmId);
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
          Page.requireSize(pageSize);
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
    if (taskRef != null && migrations.containsKey(taskRef)) {
      return migrationStatus(taskRef);
    }
    return Uni.createFrom()
        .failure(
            ProviderException.notFound(
                "no task " + taskRef + ": libvirt operations complete synchronously"));
  }

  @Override
  public void close() {
    watcher.close();
    connection.close();
  }

  /** The watcher, for tests that break its connection. */
  LibvirtWatcher watcher() {
    return watcher;
  }

  // ---- reconfigure ----------------------------------------------------------------------------

  @Override
  public Uni<ReconfigureResult> reconfigure(
      String vmId, String providerRef, ReconfigureRequest request) {
    return blocking(
        "reconfigure VM " + vmId,
        c -> {
          request.requireValid();
          Domain d = require(c, vmId, providerRef);
          boolean active = d.isActive() == 1;
          String config = d.getXMLDesc(Domain.XMLFlags.INACTIVE);
          DomainXml.Sizes now = DomainXml.sizes(config);
          DomainXml.Sizes target =
              new DomainXml.Sizes(
                  request.cpus() == null ? now.cpus() : request.cpus(),
                  request.memoryMiB() == null ? now.memoryKiB() : request.memoryMiB() * 1024);
          // check every disk change before changing anything
          List<DiskPlan> plans = planDisks(c, d, vmId, config, request.disks());
          boolean changed = false;
          boolean restart = false;
          if (!target.equals(now)) {
            c.domainDefineXML(DomainXml.withSizes(config, target));
            changed = true;
            if (active) {
              restart = applyLive(d, now, target);
            }
          }
          for (DiskPlan plan : plans) {
            changed |= plan.kind != DiskPlan.Kind.KEEP;
            restart |= applyDisk(c, d, vmId, plan, active);
          }
          if (changed) {
            LOG.infof(
                "reconfigured domain %s vmId=%s provider=%s: %s (restart required: %s)",
                d.getName(), vmId, NAME, request, restart);
          }
          return new ReconfigureResult(changed, restart, null);
        });
  }

  /** Applies new sizes to a running domain where libvirt can; true when a restart is needed. */
  private static boolean applyLive(Domain d, DomainXml.Sizes now, DomainXml.Sizes target) {
    boolean restart = target.cpus() != now.cpus(); // no vCPU hotplug room: <vcpu> is the maximum
    if (target.memoryKiB() != now.memoryKiB()) {
      try {
        if (target.memoryKiB() <= d.getMaxMemory()) {
          d.setMemory(target.memoryKiB()); // the balloon, within the boot-time maximum
        } else {
          restart = true;
        }
      } catch (LibvirtException e) {
        restart = true; // no balloon: the definition has it for the next boot
      }
    }
    return restart;
  }

  private record DiskPlan(Kind kind, String diskId, String volume, long bytes, String target) {
    enum Kind {
      ADD,
      GROW,
      KEEP
    }
  }

  private List<DiskPlan> planDisks(
      Connect c, Domain d, String vmId, String config, List<DiskChange> changes)
      throws LibvirtException {
    if (changes.isEmpty()) {
      return List.of();
    }
    if (driver != DriverKind.QEMU) {
      throw ProviderException.notSupported(
          "the libvirt " + driver + " driver has no storage for VirtSaga disks");
    }
    StoragePool pool = ensurePool(c);
    List<DomainXml.DiskRef> attached = DomainXml.disks(config);
    List<DiskPlan> plans = new ArrayList<>();
    List<DomainXml.DiskRef> used = new ArrayList<>(attached);
    for (DiskChange change : changes) {
      String volume = DomainXml.volumeName(vmId, change.diskId());
      long bytes = change.sizeGiB() << 30;
      Optional<DomainXml.DiskRef> disk =
          attached.stream().filter(r -> volume.equals(r.volume())).findFirst();
      if (disk.isEmpty()) {
        if (DomainXml.ROOT_DISK.equals(change.diskId())) {
          throw ProviderException.notSupported(
              "VM " + vmId + " was created without a root disk; add disks under another id");
        }
        String target = DomainXml.freeTarget(used);
        used.add(new DomainXml.DiskRef(null, volume, null, target, "qcow2"));
        plans.add(new DiskPlan(DiskPlan.Kind.ADD, change.diskId(), volume, bytes, target));
        continue;
      }
      long capacity = pool.storageVolLookupByName(volume).getInfo().capacity;
      if (bytes < capacity) {
        throw ProviderException.notSupported(
            "disk "
                + change.diskId()
                + " of VM "
                + vmId
                + " cannot shrink below "
                + capacity
                + " bytes");
      }
      if (bytes > capacity && d.snapshotNum() > 0) {
        throw ProviderException.notSupported(
            "disk "
                + change.diskId()
                + " of VM "
                + vmId
                + " holds internal snapshots, and qcow2 images with snapshots cannot grow;"
                + " delete the snapshots first");
      }
      plans.add(
          new DiskPlan(
              bytes > capacity ? DiskPlan.Kind.GROW : DiskPlan.Kind.KEEP,
              change.diskId(),
              volume,
              bytes,
              disk.get().target()));
    }
    return plans;
  }

  /** Adds or grows one disk; true when a running domain sees it only after a restart. */
  private boolean applyDisk(Connect c, Domain d, String vmId, DiskPlan plan, boolean active)
      throws LibvirtException {
    StoragePool pool = ensurePool(c);
    switch (plan.kind) {
      case ADD -> {
        try {
          pool.storageVolLookupByName(plan.volume);
        } catch (LibvirtException e) {
          if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
            throw e;
          }
          pool.storageVolCreateXML(
              DomainXml.volume(plan.volume, plan.bytes >> 30, null), 0); // empty qcow2
        }
        String xml = DomainXml.volumeDisk(settings.storagePool(), plan.volume, plan.target);
        if (!active) {
          d.attachDeviceFlags(xml, Domain.DeviceModifyFlags.CONFIG);
          return false;
        }
        try {
          d.attachDeviceFlags(xml, Domain.DeviceModifyFlags.CONFIG | Domain.DeviceModifyFlags.LIVE);
          return false;
        } catch (LibvirtException e) {
          d.attachDeviceFlags(xml, Domain.DeviceModifyFlags.CONFIG);
          return true;
        }
      }
      case GROW -> {
        if (active) {
          d.blockResize(plan.target, plan.bytes, Domain.BlockResizeFlags.BYTES);
        } else {
          pool.storageVolLookupByName(plan.volume).resize(plan.bytes, 0);
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  // ---- snapshots ------------------------------------------------------------------------------

  @Override
  public Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description) {
    return blocking(
        "snapshot VM " + vmId,
        c -> {
          Snapshots.requireValidName(name);
          Domain d = require(c, vmId, providerRef);
          Optional<DomainSnapshot> existing = snapshot(d, name);
          if (existing.isPresent()) {
            return snapshotInfo(existing.get().getXMLDesc());
          }
          DomainSnapshot snap = d.snapshotCreateXML(DomainXml.snapshot(name, description), 0);
          LOG.infof("snapshot %s of domain %s vmId=%s provider=%s", name, d.getName(), vmId, NAME);
          return snapshotInfo(snap.getXMLDesc());
        });
  }

  @Override
  public Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef) {
    return blocking(
        "list snapshots of VM " + vmId,
        c -> {
          Domain d = require(c, vmId, providerRef);
          List<SnapshotInfo> all = new ArrayList<>();
          for (String name : d.snapshotListNames(0)) {
            Optional<DomainSnapshot> snap = snapshot(d, name);
            if (snap.isPresent()) {
              all.add(snapshotInfo(snap.get().getXMLDesc()));
            }
          }
          Map<String, SnapshotInfo> byId = new HashMap<>();
          all.forEach(s -> byId.put(s.snapshotId(), s));
          all.sort(
              Comparator.comparing(
                      (SnapshotInfo s) -> s.createdAt() == null ? Instant.EPOCH : s.createdAt())
                  .thenComparingInt(s -> depth(s, byId))
                  .thenComparing(SnapshotInfo::name));
          return all;
        });
  }

  private static int depth(SnapshotInfo s, Map<String, SnapshotInfo> byId) {
    int depth = 0;
    for (SnapshotInfo p = s; p.parentId() != null && byId.containsKey(p.parentId()); ) {
      p = byId.get(p.parentId());
      if (++depth > byId.size()) {
        break; // a cycle cannot happen in libvirt, but never loop forever
      }
    }
    return depth;
  }

  @Override
  public Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId) {
    return blocking(
        "delete snapshot " + snapshotId + " of VM " + vmId,
        c -> {
          Optional<Domain> d = find(c, vmId, providerRef);
          if (d.isEmpty()) {
            return null;
          }
          Optional<DomainSnapshot> snap = snapshot(d.get(), snapshotId);
          if (snap.isPresent()) {
            try {
              snap.get().delete(0);
              LOG.infof("deleted snapshot %s vmId=%s provider=%s", snapshotId, vmId, NAME);
            } catch (LibvirtException e) {
              if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT) {
                throw e;
              }
            }
          }
          return null;
        });
  }

  @Override
  public Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId) {
    return blocking(
        "revert VM " + vmId + " to snapshot " + snapshotId,
        c -> {
          Domain d = require(c, vmId, providerRef);
          DomainSnapshot snap =
              snapshot(d, snapshotId)
                  .orElseThrow(
                      () ->
                          ProviderException.notFound(
                              "VM " + vmId + " has no snapshot " + snapshotId));
          d.revertToSnapshot(snap);
          LOG.infof(
              "reverted domain %s vmId=%s to %s provider=%s", d.getName(), vmId, snapshotId, NAME);
          return null;
        });
  }

  private static Optional<DomainSnapshot> snapshot(Domain d, String name) throws LibvirtException {
    if (name == null || name.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(d.snapshotLookupByName(name));
    } catch (LibvirtException e) {
      ErrorNumber code = LibvirtErrors.codeOf(e);
      if (code == ErrorNumber.VIR_ERR_NO_DOMAIN_SNAPSHOT
          || code == ErrorNumber.VIR_ERR_INVALID_ARG) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static SnapshotInfo snapshotInfo(String xml) {
    DomainXml.SnapshotXml s = DomainXml.parseSnapshot(xml);
    return new SnapshotInfo(
        s.name(),
        s.name(),
        s.description(),
        s.creationTime() == 0 ? null : Instant.ofEpochSecond(s.creationTime()),
        snapshotPower(s.state()),
        s.parent());
  }

  private static PowerState snapshotPower(String state) {
    if (state == null) {
      return PowerState.UNKNOWN;
    }
    return switch (state) {
      case "running", "blocked" -> PowerState.ON;
      case "shutoff", "disk-snapshot" -> PowerState.OFF;
      case "paused", "pmsuspended" -> PowerState.PAUSED;
      case "crashed" -> PowerState.CRASHED;
      default -> PowerState.UNKNOWN;
    };
  }

  // ---- clone ----------------------------------------------------------------------------------

  @Override
  public Uni<CreateResult> cloneVm(CloneRequest request) {
    return blocking(
        "clone VM " + request.sourceVmId() + " to " + request.targetVmId(),
        c -> {
          request.requireValid();
          String uuid = DomainXml.uuidOf(request.targetVmId()).toString();
          Optional<Domain> existing = lookup(c, uuid);
          if (existing.isPresent()) {
            if (isTaggedWith(existing.get(), request.targetVmId())) {
              return new CreateResult(uuid, null, false);
            }
            throw ProviderException.conflict(
                "domain " + uuid + " exists but is not tagged with vmId " + request.targetVmId());
          }
          Domain source = require(c, request.sourceVmId(), request.sourceProviderRef());
          DomainXml.Sizes sizes;
          DomainSnapshot snap = null;
          if (request.sourceSnapshotId() != null) {
            snap =
                snapshot(source, request.sourceSnapshotId())
                    .orElseThrow(
                        () ->
                            ProviderException.notFound(
                                "VM "
                                    + request.sourceVmId()
                                    + " has no snapshot "
                                    + request.sourceSnapshotId()));
            sizes = DomainXml.snapshotSizes(snap.getXMLDesc());
          } else {
            sizes = DomainXml.sizes(source.getXMLDesc(Domain.XMLFlags.INACTIVE));
          }
          String rootVolume = null;
          long diskGiB = 0;
          if (driver == DriverKind.QEMU) {
            rootVolume = cloneDisks(c, source, request, snap != null);
            diskGiB = rootVolume == null ? 0 : 1;
          }
          CreateRequest create =
              new CreateRequest(
                  request.targetVmId(),
                  request.operationId(),
                  request.targetName(),
                  sizes.cpus(),
                  Math.max(1, sizes.memoryMiB()),
                  diskGiB,
                  null,
                  request.labels());
          Domain d =
              c.domainDefineXML(
                  DomainXml.domain(create, driver, settings.storagePool(), rootVolume));
          LOG.infof(
              "cloned domain %s from vmId=%s%s as %s vmId=%s operationId=%s provider=%s",
              source.getName(),
              request.sourceVmId(),
              request.sourceSnapshotId() == null ? "" : " snapshot " + request.sourceSnapshotId(),
              d.getName(),
              request.targetVmId(),
              request.operationId(),
              NAME);
          return new CreateResult(d.getUUIDString(), null, true);
        });
  }

  /** Copies the source's root volume for the clone; {@code null} when it has none. */
  private String cloneDisks(Connect c, Domain source, CloneRequest request, boolean fromSnapshot)
      throws LibvirtException {
    List<DomainXml.DiskRef> disks = DomainXml.disks(source.getXMLDesc(Domain.XMLFlags.INACTIVE));
    String sourceRoot = DomainXml.volumeName(request.sourceVmId());
    if (disks.stream().anyMatch(r -> !sourceRoot.equals(r.volume()))) {
      throw ProviderException.notSupported(
          "cloning a VM with disks other than its root disk is not supported yet: "
              + request.sourceVmId());
    }
    if (disks.isEmpty()) {
      return null;
    }
    if (!fromSnapshot && source.isActive() == 1) {
      throw ProviderException.conflict(
          "VM " + request.sourceVmId() + " runs: stop it, or clone from a snapshot");
    }
    StoragePool pool = ensurePool(c);
    StorageVol from = pool.storageVolLookupByName(sourceRoot);
    String name = DomainXml.volumeName(request.targetVmId());
    deleteVolume(pool, name); // a half-copied volume of an earlier attempt
    if (!fromSnapshot) {
      long gib = Math.max(1, (from.getInfo().capacity + (1L << 30) - 1) >> 30);
      pool.storageVolCreateXMLFrom(DomainXml.volume(name, gib, null), from, 0);
      return name;
    }
    Path dir = poolDirectory(pool);
    Path tmp = tempFile(dir, ".clone-");
    try {
      qemuImg.convert(
          Path.of(from.getPath()), "qcow2", request.sourceSnapshotId(), tmp, DiskFormat.QCOW2);
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ProviderException(ErrorType.RETRYABLE, "cannot place the cloned disk: " + e, e);
    } finally {
      deleteQuietly(tmp);
    }
    pool.refresh(0);
    return name;
  }

  // ---- disks ----------------------------------------------------------------------------------

  @Override
  public Uni<List<DiskInfo>> disks(String vmId, String providerRef) {
    return blocking(
        "disks of VM " + vmId,
        c -> {
          requireQemu("disk info");
          Domain d = require(c, vmId, providerRef);
          List<DiskInfo> disks = new ArrayList<>();
          List<DomainXml.DiskRef> refs = DomainXml.disks(d.getXMLDesc(Domain.XMLFlags.INACTIVE));
          for (int i = 0; i < refs.size(); i++) {
            DomainXml.DiskRef ref = refs.get(i);
            Path path = diskPath(c, ref);
            QemuImg.Info info = qemuImg.info(path);
            disks.add(
                new DiskInfo(
                    DomainXml.diskIdOf(vmId, ref.volume()).orElse(ref.target()),
                    path.toString(),
                    formatOf(info.format()),
                    info.virtualSizeBytes(),
                    info.actualSizeBytes(),
                    info.backingFile(),
                    i == 0,
                    info.snapshots(),
                    Map.of("target", String.valueOf(ref.target()), "format", info.format())));
          }
          return disks;
        });
  }

  @Override
  public Uni<DiskTransfer> exportDisk(DiskExportRequest request) {
    return blocking(
        "export a disk of VM " + request.vmId(),
        c -> {
          URI target = settings.urlPolicy().check(request.target());
          Path targetFile =
              isFile(target) ? settings.urlPolicy().checkFile(request.target()) : null;
          requireQemu("disk export");
          Domain d = require(c, request.vmId(), request.providerRef());
          String diskId = request.diskId() == null ? DomainXml.ROOT_DISK : request.diskId();
          String volume = DomainXml.volumeName(request.vmId(), diskId);
          DomainXml.DiskRef ref =
              DomainXml.disks(d.getXMLDesc(Domain.XMLFlags.INACTIVE)).stream()
                  .filter(r -> volume.equals(r.volume()) || diskId.equals(r.target()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          ProviderException.notFound(
                              "VM " + request.vmId() + " has no disk " + diskId));
          if (request.snapshotId() != null) {
            snapshot(d, request.snapshotId())
                .orElseThrow(
                    () ->
                        ProviderException.notFound(
                            "VM " + request.vmId() + " has no snapshot " + request.snapshotId()));
          } else if (d.isActive() == 1) {
            throw ProviderException.conflict(
                "VM " + request.vmId() + " runs: stop it, or export from a snapshot");
          }
          Path source = diskPath(c, ref);
          Path tmp = null;
          try {
            Path dir;
            if (targetFile != null) {
              dir = targetFile.getParent();
              Files.createDirectories(dir);
            } else {
              dir = poolDirectory(ensurePool(c)); // room for disk images, unlike /tmp
            }
            String prefix = targetFile != null ? "." + targetFile.getFileName() + "." : ".export-";
            tmp = tempFile(dir, prefix);
            qemuImg.convert(source, ref.format(), request.snapshotId(), tmp, request.format());
            String sha = QemuImg.sha256(tmp);
            long size = Files.size(tmp);
            String location;
            if (targetFile != null) {
              Files.move(
                  tmp,
                  targetFile,
                  StandardCopyOption.ATOMIC_MOVE,
                  StandardCopyOption.REPLACE_EXISTING);
              location = targetFile.toUri().toString();
            } else {
              http.upload(tmp, target, sha);
              location = request.target();
            }
            LOG.infof(
                "exported disk %s of vmId=%s to %s (%s, sha256 %s) provider=%s",
                diskId, request.vmId(), shown(target), request.format().id(), sha, NAME);
            return new DiskTransfer(diskId, location, request.format(), size, sha, true);
          } catch (IOException e) {
            throw new ProviderException(
                ErrorType.RETRYABLE, "cannot write the export to " + shown(target) + ": " + e, e);
          } finally {
            deleteQuietly(tmp);
          }
        });
  }

  @Override
  public Uni<DiskTransfer> importDisk(DiskImportRequest request) {
    return blocking(
        "import disk " + request.name(),
        c -> {
          request.requireValid();
          URI source = settings.urlPolicy().check(request.source());
          Path sourceFile =
              isFile(source) ? settings.urlPolicy().checkFile(request.source()) : null;
          requireQemu("disk import");
          StoragePool pool = ensurePool(c);
          String volume = DomainXml.importVolumeName(request.name());
          Optional<StorageVol> existing = volume(pool, volume);
          if (existing.isPresent()) {
            return new DiskTransfer(
                request.name(),
                existing.get().getPath(),
                DiskFormat.QCOW2,
                existing.get().getInfo().allocation,
                null,
                false);
          }
          Path dir = poolDirectory(pool);
          if (sourceFile != null) {
            if (!Files.isRegularFile(sourceFile)) {
              throw ProviderException.notFound("no file " + sourceFile + " to import");
            }
            return importFile(pool, dir, volume, request, sourceFile, shown(source));
          }
          Path download = tempFile(dir, ".download-");
          try {
            http.download(source, download);
            return importFile(pool, dir, volume, request, download, shown(source));
          } finally {
            deleteQuietly(download);
          }
        });
  }

  /**
   * Checks the SHA-256 and the format of a local image and converts it into the import volume.
   * Nothing is kept when a check fails.
   */
  private DiskTransfer importFile(
      StoragePool pool,
      Path dir,
      String volume,
      DiskImportRequest request,
      Path image,
      String shownSource)
      throws LibvirtException {
    String sha = QemuImg.sha256(image);
    if (!sha.equalsIgnoreCase(request.expectedSha256())) {
      throw ProviderException.invalidSpec(
          "checksum mismatch for "
              + shownSource
              + ": expected "
              + request.expectedSha256()
              + ", was "
              + sha);
    }
    QemuImg.Info info = qemuImg.info(image);
    if (!request.sourceFormat().id().equals(info.format())) {
      throw ProviderException.invalidSpec(
          shownSource + " is " + info.format() + ", not " + request.sourceFormat().id());
    }
    if (!info.otherFiles().isEmpty()) {
      // converting would read those files of this machine into the new disk
      throw ProviderException.invalidSpec(
          shownSource
              + " refers to other files "
              + info.otherFiles()
              + " (backing file, data file or extents): import self-contained images only");
    }
    Path tmp = tempFile(dir, ".import-");
    try {
      qemuImg.convert(image, info.format(), null, tmp, DiskFormat.QCOW2);
      Files.move(tmp, dir.resolve(volume), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ProviderException(ErrorType.RETRYABLE, "cannot place the import: " + e, e);
    } finally {
      deleteQuietly(tmp);
    }
    pool.refresh(0);
    StorageVol vol = pool.storageVolLookupByName(volume);
    LOG.infof("imported %s as volume %s (sha256 %s) provider=%s", shownSource, volume, sha, NAME);
    return new DiskTransfer(
        request.name(), vol.getPath(), DiskFormat.QCOW2, vol.getInfo().allocation, sha, true);
  }

  private void requireQemu(String what) {
    if (driver != DriverKind.QEMU) {
      throw ProviderException.notSupported(
          what + " needs disk images; the libvirt " + driver + " driver has none");
    }
  }

  /**
   * {@code file:} or else {@code http(s):}: the only schemes {@link
   * dev.virtsaga.providers.spi.UrlPolicy#check} lets by.
   */
  private static boolean isFile(URI checked) {
    if ("file".equalsIgnoreCase(checked.getScheme())) {
      return true;
    }
    if (HttpTransfer.handles(checked)) {
      return false;
    }
    throw ProviderException.notSupported("cannot transfer " + checked.getScheme() + " URLs");
  }

  /** A URL for messages and logs: no query (it may hold a signature). */
  private static String shown(URI uri) {
    return "file".equalsIgnoreCase(uri.getScheme())
        ? Path.of(uri).toString()
        : HttpTransfer.redacted(uri);
  }

  private static DiskFormat formatOf(String format) {
    try {
      return format == null ? null : DiskFormat.of(format);
    } catch (ProviderException e) {
      return null; // another format (luks, …): reported in raw
    }
  }

  private static Path diskPath(Connect c, DomainXml.DiskRef ref) throws LibvirtException {
    if (ref.file() != null) {
      return Path.of(ref.file());
    }
    if (ref.pool() != null && ref.volume() != null) {
      return Path.of(
          c.storagePoolLookupByName(ref.pool()).storageVolLookupByName(ref.volume()).getPath());
    }
    throw ProviderException.notSupported(
        "disk " + ref.target() + " is neither a file nor a volume");
  }

  private static Optional<StorageVol> volume(StoragePool pool, String name)
      throws LibvirtException {
    try {
      return Optional.of(pool.storageVolLookupByName(name));
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
      return Optional.empty();
    }
  }

  private static Path poolDirectory(StoragePool pool) throws LibvirtException {
    return Path.of(
        DomainXml.poolPath(pool.getXMLDesc(0))
            .orElseThrow(
                () -> ProviderException.notSupported("the storage pool has no directory")));
  }

  private static Path tempFile(Path dir, String prefix) {
    try {
      return Files.createTempFile(dir, prefix, ".tmp");
    } catch (IOException e) {
      throw new ProviderException(ErrorType.RETRYABLE, "cannot write in " + dir + ": " + e, e);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debugf("cannot delete %s: %s", file, e.getMessage());
    }
  }

  // ---- console --------------------------------------------------------------------------------

  @Override
  public Uni<String> consoleUrl(String vmId, String providerRef) {
    return blocking(
        "console of VM " + vmId,
        c -> {
          Domain d = require(c, vmId, providerRef);
          if (d.isActive() != 1) {
            throw ProviderException.conflict("VM " + vmId + " is not running: no console");
          }
          return DomainXml.vncPort(d.getXMLDesc(0))
              .map(p -> "vnc://" + consoleHost() + ":" + p)
              .orElseThrow(
                  () -> ProviderException.notSupported("VM " + vmId + " has no VNC graphics"));
        });
  }

  // ---- migration ------------------------------------------------------------------------------

  /** Live (or offline) migration, persistent on the target, undefined on the source. */
  private static final int MIGRATE_FLAGS =
      Domain.MigrateFlags.PERSIST_DEST
          | Domain.MigrateFlags.UNDEFINE_SOURCE
          // the disks stay where they are (shared storage at the same path on both hosts); libvirt
          // only trusts that with cache='none' or a cluster file system, so say we know
          | Domain.MigrateFlags.UNSAFE;

  /** One migration this adapter instance started. */
  private static final class MigrationTask {
    final String taskRef;
    final String vmId;
    final String target;
    volatile Domain domain;
    volatile TaskState.Phase phase = TaskState.Phase.RUNNING;
    volatile ProviderException error;
    volatile boolean cancelled;

    MigrationTask(String taskRef, String vmId, String target) {
      this.taskRef = taskRef;
      this.vmId = vmId;
      this.target = target;
    }
  }

  private final Map<String, MigrationTask> migrations = new ConcurrentHashMap<>();
  private volatile long migrationBandwidthMiBs;

  /** Caps migration bandwidth in MiB/s (0 = unlimited); tests slow migrations down with it. */
  void migrationBandwidth(long mibPerSecond) {
    this.migrationBandwidthMiBs = mibPerSecond;
  }

  @Override
  public Uni<String> migrate(String vmId, String providerRef, String targetHost) {
    return blocking(
        "migrate VM " + vmId + " to " + targetHost,
        c -> {
          if (targetHost == null || targetHost.isBlank()) {
            throw ProviderException.invalidSpec("migration needs a target libvirt URI");
          }
          DriverKind targetDriver;
          try {
            targetDriver = DriverKind.of(targetHost);
          } catch (IllegalArgumentException e) {
            throw ProviderException.invalidSpec("not a libvirt URI: " + targetHost);
          }
          if (driver != DriverKind.QEMU || targetDriver != DriverKind.QEMU) {
            throw ProviderException.notSupported("only QEMU domains migrate, to a QEMU host");
          }
          synchronized (migrations) {
            for (MigrationTask t : migrations.values()) {
              if (t.vmId.equals(vmId) && t.phase == TaskState.Phase.RUNNING) {
                if (t.target.equals(targetHost)) {
                  return t.taskRef;
                }
                throw ProviderException.conflict(
                    "VM " + vmId + " is already migrating to " + t.target);
              }
            }
            String taskRef = "migrate-" + UUID.randomUUID();
            MigrationTask task = new MigrationTask(taskRef, vmId, targetHost);
            Optional<Domain> here = find(c, vmId, providerRef);
            if (here.isEmpty()) {
              if (!isOn(targetHost, vmId)) {
                throw ProviderException.notFound("no domain for VM " + vmId);
              }
              task.phase = TaskState.Phase.SUCCEEDED; // moved by an earlier attempt
              migrations.put(taskRef, task);
              return taskRef;
            }
            task.domain = here.get();
            migrations.put(taskRef, task);
            executor.execute(() -> runMigration(task));
            LOG.infof(
                "migrating domain %s vmId=%s to %s task=%s provider=%s",
                here.get().getName(), vmId, targetHost, taskRef, NAME);
            return taskRef;
          }
        });
  }

  private boolean isOn(String targetHost, String vmId) {
    try (LibvirtConnection target = new LibvirtConnection(targetHost)) {
      return target
          .call(
              t -> lookup(t, DomainXml.uuidOf(vmId).toString()).filter(d -> isTaggedWith(d, vmId)))
          .isPresent();
    } catch (LibvirtException e) {
      throw LibvirtErrors.toProviderException("look for VM " + vmId + " on " + targetHost, e);
    }
  }

  private void runMigration(MigrationTask task) {
    try (LibvirtConnection target = new LibvirtConnection(task.target)) {
      target.call(
          t -> {
            refreshPool(t); // the target learns of volumes the source made meanwhile
            Domain d = task.domain;
            int flags = MIGRATE_FLAGS;
            flags |= d.isActive() == 1 ? Domain.MigrateFlags.LIVE : Domain.MigrateFlags.OFFLINE;
            String host = URI.create(task.target).getHost();
            String migrationUri = host == null || host.isBlank() ? "tcp://127.0.0.1" : null;
            d.migrate(t, flags, null, migrationUri, migrationBandwidthMiBs);
            return null;
          });
      task.phase = TaskState.Phase.SUCCEEDED;
      LOG.infof(
          "migrated vmId=%s to %s task=%s provider=%s", task.vmId, task.target, task.taskRef, NAME);
    } catch (LibvirtException e) {
      task.error =
          task.cancelled
              ? ProviderException.conflict("migration of VM " + task.vmId + " was cancelled")
              : LibvirtErrors.toProviderException("migrate VM " + task.vmId, e);
      task.phase = TaskState.Phase.FAILED;
      LOG.warnf(
          "migration task=%s vmId=%s failed: %s", task.taskRef, task.vmId, task.error.getMessage());
    } catch (ProviderException e) {
      task.error = e;
      task.phase = TaskState.Phase.FAILED;
      LOG.warnf("migration task=%s vmId=%s failed: %s", task.taskRef, task.vmId, e.getMessage());
    } catch (RuntimeException e) {
      task.error =
          new ProviderException(ErrorType.RETRYABLE, "migrate VM " + task.vmId + ": " + e, e);
      task.phase = TaskState.Phase.FAILED;
      LOG.warnf("migration task=%s vmId=%s failed: %s", task.taskRef, task.vmId, e.toString());
    }
  }

  private void refreshPool(Connect c) throws LibvirtException {
    try {
      StoragePool pool = c.storagePoolLookupByName(settings.storagePool());
      if (pool.isActive() == 1) {
        pool.refresh(0);
      }
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
        throw e;
      }
      throw ProviderException.invalidSpec(
          "the target has no storage pool " + settings.storagePool() + " on the shared storage");
    }
  }

  @Override
  public Uni<TaskState> migrationStatus(String taskRef) {
    return blocking(
        "status of " + taskRef,
        c -> {
          MigrationTask task = migrations.get(taskRef);
          if (task == null) {
            throw ProviderException.notFound("no migration task " + taskRef);
          }
          return switch (task.phase) {
            case SUCCEEDED -> TaskState.succeeded(taskRef);
            case FAILED -> TaskState.failed(taskRef, task.error);
            case RUNNING -> TaskState.running(taskRef, progressOf(task));
          };
        });
  }

  private static Integer progressOf(MigrationTask task) {
    try {
      DomainJobInfo job = task.domain.getJobInfo();
      long total = job.getDataTotal();
      if (total <= 0) {
        return null;
      }
      return (int) Math.max(0, Math.min(99, job.getDataProcessed() * 100 / total));
    } catch (LibvirtException | RuntimeException e) {
      return null; // the job just ended, or the domain is gone from the source
    }
  }

  @Override
  public Uni<Void> cancelMigration(String taskRef) {
    return blocking(
        "cancel " + taskRef,
        c -> {
          MigrationTask task = migrations.get(taskRef);
          if (task == null) {
            throw ProviderException.notFound("no migration task " + taskRef);
          }
          if (task.phase == TaskState.Phase.RUNNING) {
            task.cancelled = true;
            try {
              task.domain.abortJob();
              LOG.infof(
                  "cancelled migration task=%s vmId=%s provider=%s", taskRef, task.vmId, NAME);
            } catch (LibvirtException e) {
              if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_OPERATION_INVALID
                  && LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_DOMAIN) {
                throw e; // OPERATION_INVALID / NO_DOMAIN: the migration ended meanwhile
              }
            }
          }
          return null;
        });
  }

  // ---- watch ----------------------------------------------------------------------------------

  @Override
  public Uni<VmList> listWithVersion() {
    return watcher.list();
  }

  @Override
  public Multi<WatchEvent> watch(String resourceVersion) {
    return watcher.watch(resourceVersion);
  }

  /** The description of one of our domains (for the watcher), empty for others. */
  private Optional<VmDescription> describeManaged(Domain d) throws LibvirtException {
    Optional<Tag> tag = tagOf(d);
    if (tag.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(describe(d, tag.get().vmId(), tag.get().operationId(), false));
  }

  private Domain require(Connect c, String vmId, String providerRef) throws LibvirtException {
    return find(c, vmId, providerRef)
        .orElseThrow(() -> ProviderException.notFound("no domain for VM " + vmId));
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

  /**
   * The VM's root volume, created when missing: {@code diskGiB}, or more when the base image is
   * bigger (a smaller qcow2 overlay would cut the end of the image off). An image without {@code
   * diskGiB} gets a root disk of the image's size.
   */
  private String rootVolume(Connect c, CreateRequest request) throws LibvirtException {
    String image = request.image();
    if (request.diskGiB() == 0 && image == null) {
      return null;
    }
    if (image != null && !image.startsWith("/")) {
      throw ProviderException.invalidSpec(
          "libvirt images are absolute paths of qcow2 base images, not " + image);
    }
    StoragePool pool = ensurePool(c);
    String name = DomainXml.volumeName(request.vmId());
    if (volume(pool, name).isEmpty()) {
      long bytes = request.diskGiB() << 30;
      if (image != null) {
        bytes = Math.max(bytes, capacityOf(c, image));
      }
      if (bytes == 0) {
        throw ProviderException.invalidSpec(
            "image " + image + " is no storage volume libvirt knows: give diskGiB");
      }
      pool.storageVolCreateXML(DomainXml.volumeOfBytes(name, bytes, image), 0);
    }
    return name;
  }

  /** The virtual size of an image that is a volume of a pool, else 0. */
  private static long capacityOf(Connect c, String path) throws LibvirtException {
    try {
      return c.storageVolLookupByPath(path).getInfo().capacity;
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
      return 0;
    }
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

  private static void deleteVolume(StoragePool pool, String name) throws LibvirtException {
    try {
      pool.storageVolLookupByName(name).delete(0);
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
    }
  }

  /** Deletes the VM's root volume and every volume reconfigure added to it. */
  private void deleteRootVolume(Connect c, String vmId) throws LibvirtException {
    try {
      StoragePool pool = c.storagePoolLookupByName(settings.storagePool());
      if (pool.isActive() != 1) {
        return;
      }
      for (String name : pool.listVolumes()) {
        if (DomainXml.isVolumeOf(vmId, name)) {
          deleteVolume(pool, name);
        }
      }
    } catch (LibvirtException e) {
      ErrorNumber code = LibvirtErrors.codeOf(e);
      if (code != ErrorNumber.VIR_ERR_NO_STORAGE_POOL
          && code != ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        throw e;
      }
    }
  }

  /** Deletes the import made for the VM's root disk ({@link DiskImportRequest#nameForVm}). */
  private void deleteImportOf(Connect c, String vmId) throws LibvirtException {
    String name = DomainXml.importVolumeName(DiskImportRequest.nameForVm(vmId));
    try {
      StoragePool pool = c.storagePoolLookupByName(settings.storagePool());
      if (pool.isActive() == 1 && volume(pool, name).isPresent()) {
        deleteVolume(pool, name);
        LOG.infof("deleted import volume %s vmId=%s provider=%s", name, vmId, NAME);
      }
    } catch (LibvirtException e) {
      if (LibvirtErrors.codeOf(e) != ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
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
