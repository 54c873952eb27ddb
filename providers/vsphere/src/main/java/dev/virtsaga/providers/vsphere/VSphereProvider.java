package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Migration;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.Reconfigurable;
import dev.virtsaga.providers.spi.ReconfigureRequest;
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
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.w3c.dom.Element;

/**
 * The vSphere adapter: the core {@link Provider} contract over {@link VimClient}.
 *
 * <p><b>Tagging:</b> every VM it makes carries the vmId in the custom field {@value #TAG_FIELD}
 * (defined once with {@code AddCustomFieldDef} when missing, set with {@code SetField} right after
 * the clone), and its name is {@code <name>-<vmId>}. A VM is found by a {@code PropertyCollector}
 * read of {@code customValue} over a container view of all VMs (one read, the tag compared here);
 * the name is the fallback that closes the gap between the clone and {@code SetField}: a create
 * that finds an untagged VM of its own name in the folder tags it and returns it. Only tagged VMs
 * are visible through this provider.
 *
 * <p><b>Tasks:</b> each {@code *_Task} is followed by reading {@code info.state} / {@code
 * info.error} until it is {@code success} or {@code error}, every {@link VSphereSettings#timeouts()
 * pollInterval}, for at most {@code instanceReady} (clone) or {@code actionComplete} (others), then
 * TIMEOUT. Operations return when their task is done, so {@link #create} returns no task reference;
 * {@link #taskStatus} reads any Task by its MoRef value.
 *
 * <p>Thread-safe; connects on first use. {@link #close()} logs out and closes the client.
 */
public final class VSphereProvider
    implements Provider, Reconfigurable, Snapshots, Cloning, Migration, WatchSource, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VSphereProvider.class);

  /** The custom field that carries VirtSaga's vmId on each managed VM. */
  public static final String TAG_FIELD = "virtsaga.vmId";

  /** vSphere's limit on entity names. */
  static final int MAX_NAME = 80;

  private static final List<String> VM_PATHS =
      List.of("name", "customValue", "runtime.powerState", "guest.ipAddress", "guest.net");
  private static final List<String> TASK_PATHS =
      List.of("info.state", "info.error", "info.result", "info.progress");

  private final VimClient vim;
  private final VSphereSettings settings;
  private final VSphereWatch watch;
  private Uni<Void> connecting; // guarded by this
  private volatile FieldKey fieldKey;

  /** The tag's field key, valid for the session it was read in (a restart forgets fields). */
  private record FieldKey(long logins, String key) {}

  /** A tagged VM as one property read saw it. */
  record ManagedVm(
      String vmId, ManagedObjectReference ref, String name, String powerState, List<String> ips) {}

  public VSphereProvider(Vertx vertx, VSphereSettings settings) {
    this(new VimClient(vertx, settings.vim()), settings);
  }

  VSphereProvider(VimClient vim, VSphereSettings settings) {
    this.vim = Objects.requireNonNull(vim, "vim");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.watch = new VSphereWatch(vim, () -> fieldKey(false));
  }

  /** The client (for tests that need its session). */
  VimClient vim() {
    return vim;
  }

  @Override
  public String name() {
    return "vsphere";
  }

  /**
   * Graceful shutdown ({@code ShutdownGuest}), reboot ({@code RebootGuest}, else {@code
   * ResetVM_Task}), suspend/resume, reconfigure with disks ({@code ReconfigVM_Task}), snapshots,
   * clone (from a VM or one of its snapshots, {@code CloneVM_Task}), migration between the hosts of
   * the cluster ({@code RelocateVM_Task}) and a watch ({@code WaitForUpdatesEx}). Not: create-time
   * disk sizes (a clone keeps its template's disks), disk export/import (OVF/NFC), console (needs a
   * vCenter ticket vcsim cannot issue), asynchronous create.
   */
  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(
        Capability.GRACEFUL_SHUTDOWN,
        Capability.REBOOT,
        Capability.SUSPEND_RESUME,
        Capability.RECONFIGURE,
        Capability.DISK_RESIZE,
        Capability.SNAPSHOTS,
        Capability.CLONE,
        Capability.MIGRATION,
        Capability.WATCH);
  }

  @Override
  public Uni<Void> validate() {
    return connected().chain(vim::currentTime).replaceWithVoid();
  }

  @Override
  public Uni<CreateResult> create(CreateRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              if (request.diskGiB() > 0) {
                throw ProviderException.notSupported(
                    "vsphere clones keep the template's disks: diskGiB "
                        + request.diskGiB()
                        + " cannot be set (capability DISKS is not declared)");
              }
              return connected().chain(() -> findOrClone(request));
            })
        .onFailure()
        .transform(f -> VimFaults.of("create " + request.vmId(), f));
  }

  @Override
  public Uni<Void> delete(String vmId, String providerRef) {
    return connected()
        .chain(() -> find(vmId, providerRef))
        .chain(
            found -> {
              if (found.isEmpty()) {
                return Uni.createFrom().voidItem();
              }
              ManagedVm vm = found.get();
              Uni<Void> off =
                  "poweredOff".equals(vm.powerState())
                      ? Uni.createFrom().voidItem()
                      : task("PowerOffVM_Task", vm.ref(), "", actionTimeout())
                          .onFailure(type(ErrorType.CONFLICT))
                          .recoverWithNull()
                          .replaceWithVoid();
              return off.chain(() -> task("Destroy_Task", vm.ref(), "", actionTimeout()))
                  .replaceWithVoid()
                  .invoke(() -> LOG.infof("deleted %s (vmId %s)", vm.ref(), vmId));
            })
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithNull()
        .replaceWithVoid();
  }

  @Override
  public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
    return existing(vmId, providerRef).chain(vm -> power(vm, op));
  }

  /** The VM tagged {@code vmId}; NOT_FOUND when there is none. */
  private Uni<ManagedVm> existing(String vmId, String providerRef) {
    return connected()
        .chain(() -> find(vmId, providerRef))
        .map(found -> found.orElseThrow(() -> ProviderException.notFound("no VM tagged " + vmId)));
  }

  private Uni<Void> power(ManagedVm vm, PowerOp op) {
    String state = vm.powerState();
    boolean on = "poweredOn".equals(state);
    boolean off = "poweredOff".equals(state);
    boolean suspended = "suspended".equals(state);
    Duration limit = actionTimeout();
    return switch (op) {
      case ON -> on ? done() : task("PowerOnVM_Task", vm.ref(), "", limit).replaceWithVoid();
      case OFF -> off ? done() : task("PowerOffVM_Task", vm.ref(), "", limit).replaceWithVoid();
      case SHUTDOWN_GRACEFUL ->
          off ? done() : vim.invoke("ShutdownGuest", vm.ref(), "").replaceWithVoid();
      case REBOOT ->
          on
              ? reboot(vm.ref(), limit)
              : conflict("reboot needs a running VM; " + vm.ref() + " is " + state);
      case SUSPEND ->
          suspended
              ? done()
              : on
                  ? task("SuspendVM_Task", vm.ref(), "", limit).replaceWithVoid()
                  : conflict("suspend needs a running VM; " + vm.ref() + " is " + state);
      case RESUME ->
          on
              ? done()
              : suspended
                  ? task("PowerOnVM_Task", vm.ref(), "", limit).replaceWithVoid()
                  : conflict("resume needs a suspended VM; " + vm.ref() + " is " + state);
    };
  }

  /**
   * {@code RebootGuest} (the guest restarts itself, through VMware Tools); where the server or the
   * guest cannot ({@code MethodNotFound} on vcsim, {@code ToolsUnavailable} without Tools, …) a
   * hard {@code ResetVM_Task}.
   */
  private Uni<Void> reboot(ManagedObjectReference vm, Duration limit) {
    return vim.invoke("RebootGuest", vm, "")
        .replaceWithVoid()
        .onFailure(
            f ->
                f instanceof ProviderException pe
                    && (pe.type() == ErrorType.NOT_SUPPORTED
                        || String.valueOf(pe.getMessage()).contains("ToolsUnavailable")
                        || String.valueOf(pe.getMessage()).contains("InvalidState")))
        .recoverWithUni(
            f -> {
              LOG.debugf("RebootGuest of %s not possible (%s): resetting it", vm, f.getMessage());
              return task("ResetVM_Task", vm, "", limit).replaceWithVoid();
            });
  }

  /** The VM, with the name of the ESXi host it runs on in {@code raw.host}. */
  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return connected()
        .chain(() -> find(vmId, providerRef))
        .chain(
            found -> {
              if (found.isEmpty()) {
                return Uni.createFrom().item(VmDescription.absent(vmId));
              }
              ManagedVm vm = found.get();
              return hostName(vm.ref())
                  .map(
                      host -> {
                        VmDescription d = description(vm);
                        Map<String, String> raw = new LinkedHashMap<>(d.raw());
                        host.ifPresent(h -> raw.put("host", h));
                        return new VmDescription(
                            d.vmId(), d.providerRef(), true, d.power(), d.ips(), null, raw);
                      });
            });
  }

  /** The name of the host a VM runs on ({@code runtime.host}). */
  private Uni<Optional<String>> hostName(ManagedObjectReference vm) {
    return vim.retrieveProperties(vm, List.of("runtime.host"))
        .map(props -> Optional.ofNullable(props.values().get("runtime.host")).map(Soap::toMoRef))
        .chain(
            host ->
                host.isEmpty()
                    ? Uni.createFrom().item(Optional.<String>empty())
                    : vim.retrieveProperties(host.get(), List.of("name")).map(p -> p.text("name")))
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithItem(Optional.empty());
  }

  /**
   * The tagged VMs ordered by vmId; the page token is the last vmId of the page (base64url), so a
   * page never repeats or skips a VM that stays.
   */
  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    String after;
    try {
      Page.requireSize(pageSize);
      after = pageToken == null ? null : Page.keyOf(pageToken);
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    return connected()
        .chain(() -> managedVms())
        .map(
            all -> {
              List<ManagedVm> rest =
                  all.stream()
                      .filter(vm -> after == null || vm.vmId().compareTo(after) > 0)
                      .sorted(Comparator.comparing(ManagedVm::vmId))
                      .toList();
              List<ManagedVm> page = rest.subList(0, Math.min(pageSize, rest.size()));
              String next =
                  rest.size() > pageSize ? Page.tokenAfter(page.get(page.size() - 1).vmId()) : null;
              return new Page<>(page.stream().map(VSphereProvider::description).toList(), next);
            });
  }

  /** Reads the vSphere Task whose MoRef value is {@code taskRef} ({@code task-42}). */
  @Override
  public Uni<TaskState> taskStatus(String taskRef) {
    ManagedObjectReference task = new ManagedObjectReference("Task", taskRef);
    return connected()
        .chain(() -> vim.retrieveProperties(task, TASK_PATHS))
        .map(
            props -> {
              String state =
                  props
                      .text("info.state")
                      .orElseThrow(() -> ProviderException.notFound("no task " + taskRef));
              return switch (state) {
                case "success" -> TaskState.succeeded(taskRef);
                case "error" -> TaskState.failed(taskRef, taskError(taskRef, props));
                default ->
                    TaskState.running(
                        taskRef,
                        props
                            .number("info.progress")
                            .map(p -> (int) Math.max(0, Math.min(100, p)))
                            .orElse(null));
              };
            });
  }

  /** Logs out (best effort) and closes the client. */
  @Override
  public void close() {
    watch.close();
    try {
      vim.logout().await().atMost(settings.vim().requestTimeout());
    } catch (RuntimeException e) {
      LOG.debugf("logout from vSphere failed: %s", e.getMessage());
    }
    vim.close();
  }

  // --- reconfigure -------------------------------------------------------------------------

  /**
   * CPUs, memory and disks in one {@code ReconfigVM_Task}. vSphere changes a running VM's hardware
   * in place (hot add) or refuses with InvalidPowerState (CONFLICT) where the VM does not allow it;
   * it never keeps a change for the next boot, so {@code restartRequired} is always false.
   */
  @Override
  public Uni<ReconfigureResult> reconfigure(
      String vmId, String providerRef, ReconfigureRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              return existing(vmId, providerRef);
            })
        .chain(
            vm ->
                vim.retrieveProperties(vm.ref(), VmHardware.PATHS)
                    .map(VmHardware::of)
                    .chain(
                        hardware -> {
                          Optional<String> spec = hardware.specFor(request);
                          if (spec.isEmpty()) {
                            return Uni.createFrom().item(new ReconfigureResult(false, false, null));
                          }
                          return task("ReconfigVM_Task", vm.ref(), spec.get(), actionTimeout())
                              .map(r -> new ReconfigureResult(true, false, null));
                        }))
        .onFailure()
        .transform(f -> VimFaults.of("reconfigure " + vmId, f));
  }

  // --- snapshots ---------------------------------------------------------------------------

  /**
   * {@code CreateSnapshot_Task}; with the VM's memory when it runs, so a revert brings it back on.
   */
  @Override
  public Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Snapshots.requireValidName(name);
              return existing(vmId, providerRef);
            })
        .chain(
            vm ->
                snapshots(vm.ref())
                    .chain(
                        tree -> {
                          Optional<SnapshotTree.Node> same = tree.byName(name);
                          if (same.isPresent()) {
                            return Uni.createFrom().item(same.get().info());
                          }
                          String inner =
                              Soap.element("name", name)
                                  + (description == null
                                      ? ""
                                      : Soap.element("description", description))
                                  + Soap.element(
                                      "memory",
                                      Boolean.toString("poweredOn".equals(vm.powerState())))
                                  + Soap.element("quiesce", "false");
                          return task("CreateSnapshot_Task", vm.ref(), inner, actionTimeout())
                              .map(
                                  r ->
                                      r.map(Soap::toMoRef)
                                          .orElseThrow(
                                              () ->
                                                  new ProviderException(
                                                      ErrorType.RETRYABLE,
                                                      "CreateSnapshot_Task succeeded without a"
                                                          + " snapshot")))
                              .chain(
                                  snap ->
                                      snapshots(vm.ref())
                                          .map(
                                              after ->
                                                  after
                                                      .byId(snap.value())
                                                      .orElseThrow(
                                                          () ->
                                                              ProviderException.notFound(
                                                                  snap + " vanished"))
                                                      .info()));
                        }));
  }

  @Override
  public Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef) {
    return existing(vmId, providerRef).chain(vm -> snapshots(vm.ref())).map(SnapshotTree::infos);
  }

  @Override
  public Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId) {
    return connected()
        .chain(() -> find(vmId, providerRef))
        .chain(
            found ->
                found.isEmpty()
                    ? done()
                    : snapshots(found.get().ref())
                        .chain(
                            tree ->
                                tree.byId(snapshotId)
                                    .map(
                                        node ->
                                            task(
                                                    "RemoveSnapshot_Task",
                                                    node.ref(),
                                                    Soap.element("removeChildren", "false"),
                                                    actionTimeout())
                                                .replaceWithVoid())
                                    .orElse(done())))
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithNull()
        .replaceWithVoid();
  }

  /**
   * {@code RevertToSnapshot_Task}, then the VM is checked against the snapshot: its power state
   * (off for a snapshot without memory) and its CPUs and memory. vCenter restores both itself, so
   * there this only reads; vcsim restores neither, and the adapter applies them.
   */
  @Override
  public Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId) {
    return existing(vmId, providerRef)
        .chain(
            vm ->
                snapshots(vm.ref())
                    .map(
                        tree ->
                            tree.byId(snapshotId)
                                .orElseThrow(
                                    () ->
                                        ProviderException.notFound(
                                            "VM " + vmId + " has no snapshot " + snapshotId)))
                    .chain(
                        node ->
                            task("RevertToSnapshot_Task", node.ref(), "", actionTimeout())
                                .chain(() -> settleAfterRevert(vm.ref(), node))));
  }

  private static final List<String> SIZE_PATHS =
      List.of("config.hardware.numCPU", "config.hardware.memoryMB");

  private Uni<Void> settleAfterRevert(ManagedObjectReference vm, SnapshotTree.Node node) {
    List<String> vmPaths = new ArrayList<>(SIZE_PATHS);
    vmPaths.add("runtime.powerState");
    return vim.retrieveProperties(node.ref(), SIZE_PATHS)
        .chain(
            snap ->
                vim.retrieveProperties(vm, vmPaths)
                    .chain(
                        now -> {
                          String want = node.powerState();
                          String is = now.text("runtime.powerState").orElse("");
                          boolean on = "poweredOn".equals(is);
                          Uni<Void> off =
                              !"poweredOn".equals(want) && on
                                  ? task("PowerOffVM_Task", vm, "", actionTimeout())
                                      .replaceWithVoid()
                                  : done();
                          StringBuilder spec = new StringBuilder();
                          Optional<Long> cpus = snap.number("config.hardware.numCPU");
                          Optional<Long> memory = snap.number("config.hardware.memoryMB");
                          if (cpus.isPresent()
                              && !cpus.equals(now.number("config.hardware.numCPU"))) {
                            spec.append(Soap.element("numCPUs", cpus.get().toString()));
                          }
                          if (memory.isPresent()
                              && !memory.equals(now.number("config.hardware.memoryMB"))) {
                            spec.append(Soap.element("memoryMB", memory.get().toString()));
                          }
                          Uni<Void> sizes =
                              spec.isEmpty()
                                  ? done()
                                  : task(
                                          "ReconfigVM_Task",
                                          vm,
                                          "<spec>" + spec + "</spec>",
                                          actionTimeout())
                                      .replaceWithVoid();
                          Uni<Void> start =
                              "poweredOn".equals(want) && !on
                                  ? task("PowerOnVM_Task", vm, "", actionTimeout())
                                      .replaceWithVoid()
                                  : done();
                          return off.chain(() -> sizes).chain(() -> start);
                        }));
  }

  private Uni<SnapshotTree> snapshots(ManagedObjectReference vm) {
    return vim.retrieveProperties(vm, List.of("snapshot")).map(SnapshotTree::of);
  }

  // --- clone -------------------------------------------------------------------------------

  /**
   * {@code CloneVM_Task} of the source VM — as it is, or as it was in a snapshot ({@code
   * spec.snapshot}) — into the configured folder, pool and datastore, powered off, tagged with the
   * target vmId. The clone has no snapshots and does not depend on its source.
   */
  @Override
  public Uni<CreateResult> cloneVm(CloneRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              return existing(request.sourceVmId(), request.sourceProviderRef());
            })
        .chain(
            source -> {
              Uni<ManagedObjectReference> snapshot =
                  request.sourceSnapshotId() == null
                      ? Uni.createFrom().nullItem()
                      : snapshots(source.ref())
                          .map(
                              tree ->
                                  tree.byId(request.sourceSnapshotId())
                                      .orElseThrow(
                                          () ->
                                              ProviderException.notFound(
                                                  "VM "
                                                      + request.sourceVmId()
                                                      + " has no snapshot "
                                                      + request.sourceSnapshotId()))
                                      .ref());
              String vmName = vmName(request.targetName(), request.targetVmId());
              return snapshot.chain(
                  at ->
                      findOrClone(
                          request.targetVmId(),
                          vmName,
                          () ->
                              cloneVm(
                                      source.ref(),
                                      at,
                                      null,
                                      vmName,
                                      request.targetVmId(),
                                      request.operationId(),
                                      "",
                                      settings.timeouts().instanceReady())
                                  .invoke(
                                      vm ->
                                          LOG.infof(
                                              "cloned %s (vmId %s%s) as %s (vmId %s)",
                                              source.ref(),
                                              request.sourceVmId(),
                                              at == null ? "" : ", at " + at,
                                              vm,
                                              request.targetVmId()))));
            })
        .onFailure()
        .transform(f -> VimFaults.of("clone " + request.sourceVmId(), f));
  }

  // --- migration ---------------------------------------------------------------------------

  /**
   * {@code RelocateVM_Task} to a host of the configured cluster (its name, or an inventory path),
   * returning the vSphere Task: {@link #migrationStatus} reads its state and progress. While a
   * relocation of the VM runs, that task is returned again.
   */
  @Override
  public Uni<String> migrate(String vmId, String providerRef, String targetHost) {
    return existing(vmId, providerRef)
        .chain(
            vm ->
                targetHost(targetHost)
                    .chain(
                        host ->
                            runningRelocation(vm.ref())
                                .chain(
                                    running ->
                                        running.isPresent()
                                            ? Uni.createFrom().item(running.get())
                                            : vim.invoke(
                                                    "RelocateVM_Task",
                                                    vm.ref(),
                                                    "<spec>"
                                                        + Soap.moRef("host", host)
                                                        + "</spec>"
                                                        + Soap.element(
                                                            "priority", "defaultPriority"))
                                                .map(
                                                    r ->
                                                        Soap.returnMoRef(
                                                            r,
                                                            "RelocateVM_Task returned"
                                                                + " no task"))
                                                .invoke(
                                                    t ->
                                                        LOG.infof(
                                                            "relocating %s (vmId %s) to %s: %s",
                                                            vm.ref(), vmId, host, t))
                                                .map(ManagedObjectReference::value))));
  }

  private Uni<ManagedObjectReference> targetHost(String targetHost) {
    if (targetHost == null || targetHost.isBlank()) {
      return Uni.createFrom().failure(ProviderException.invalidSpec("no target host"));
    }
    String path =
        targetHost.startsWith("/") ? targetHost : settings.clusterPath() + "/" + targetHost;
    return vim.findByInventoryPath(path)
        .map(
            ref ->
                ref.filter(r -> r.type().equals("HostSystem"))
                    .orElseThrow(
                        () ->
                            ProviderException.invalidSpec(
                                "no host " + targetHost + " at " + path)));
  }

  /** A relocation task of the VM that is queued or running, if any ({@code recentTask}). */
  private Uni<Optional<String>> runningRelocation(ManagedObjectReference vm) {
    return vim.retrieveProperties(vm, List.of("recentTask"))
        .map(
            props ->
                Optional.ofNullable(props.values().get("recentTask"))
                    .map(
                        val ->
                            Soap.children(val, "ManagedObjectReference").stream()
                                .map(Soap::toMoRef)
                                .toList())
                    .orElse(List.of()))
        .chain(
            tasks ->
                tasks.isEmpty()
                    ? Uni.createFrom().item(Optional.<String>empty())
                    : Multi.createFrom()
                        .iterable(tasks)
                        .onItem()
                        .transformToUniAndConcatenate(
                            t ->
                                vim.retrieveProperties(
                                        t, List.of("info.state", "info.descriptionId"))
                                    .map(
                                        p -> {
                                          String state = p.text("info.state").orElse("");
                                          String what = p.text("info.descriptionId").orElse("");
                                          boolean busy =
                                              state.equals("running") || state.equals("queued");
                                          boolean moving =
                                              what.endsWith(".relocate")
                                                  || what.endsWith(".migrate");
                                          return busy && moving ? t.value() : "";
                                        })
                                    .onFailure(type(ErrorType.NOT_FOUND))
                                    .recoverWithItem(""))
                        .filter(v -> !v.isEmpty())
                        .collect()
                        .first()
                        .map(Optional::ofNullable));
  }

  @Override
  public Uni<TaskState> migrationStatus(String taskRef) {
    return taskStatus(taskRef);
  }

  /** {@code CancelTask} of a relocation that has not finished; a finished one is left alone. */
  @Override
  public Uni<Void> cancelMigration(String taskRef) {
    return taskStatus(taskRef)
        .chain(
            state ->
                state.isComplete()
                    ? done()
                    : vim.invoke("CancelTask", new ManagedObjectReference("Task", taskRef), "")
                        .replaceWithVoid()
                        .invoke(() -> LOG.infof("cancelled relocation %s", taskRef)));
  }

  // --- watch -------------------------------------------------------------------------------

  @Override
  public Uni<VmList> listWithVersion() {
    return connected().chain(watch::listWithVersion);
  }

  @Override
  public Multi<WatchEvent> watch(String resourceVersion) {
    return watch.watch(resourceVersion);
  }

  // --- create ------------------------------------------------------------------------------

  private Uni<CreateResult> findOrClone(CreateRequest request) {
    return findOrClone(
        request.vmId(), vmName(request.name(), request.vmId()), () -> cloneTemplate(request));
  }

  /**
   * The VM tagged {@code vmId} ({@code created = false}); else one of that name in the folder,
   * cloned by an earlier attempt that did not get to {@code SetField} (tagged now, {@code created =
   * false}); else a new one from {@code clone} ({@code created = true}). A concurrent clone of the
   * same name (CONFLICT) yields the winner's VM.
   */
  private Uni<CreateResult> findOrClone(
      String vmId, String vmName, Supplier<Uni<ManagedObjectReference>> clone) {
    return find(vmId, null)
        .chain(
            found -> {
              if (found.isPresent()) {
                return Uni.createFrom()
                    .item(new CreateResult(found.get().ref().value(), null, false));
              }
              return vim.findByInventoryPath(settings.vmFolderPath() + "/" + vmName)
                  .chain(
                      byName ->
                          byName.isPresent()
                              ? tag(byName.get(), vmId)
                                  .map(v -> new CreateResult(byName.get().value(), null, false))
                              : clone
                                  .get()
                                  .call(vm -> tag(vm, vmId))
                                  .map(vm -> new CreateResult(vm.value(), null, true)));
            })
        .onFailure(type(ErrorType.CONFLICT))
        .recoverWithUni(
            conflict ->
                find(vmId, null)
                    .map(
                        again ->
                            again
                                .map(vm -> new CreateResult(vm.ref().value(), null, false))
                                .orElseThrow(() -> (ProviderException) conflict)));
  }

  private Uni<ManagedObjectReference> cloneTemplate(CreateRequest request) {
    String image =
        request.image() == null || request.image().isBlank()
            ? settings.defaultTemplate()
            : request.image().trim();
    if (image.isEmpty()) {
      return Uni.createFrom()
          .failure(
              ProviderException.invalidSpec("no image in the request and no default template"));
    }
    String templatePath = settings.templatePath(image);
    String vmName = vmName(request.name(), request.vmId());
    return vim.findByInventoryPath(templatePath)
        .map(
            t ->
                t.filter(ref -> ref.type().equals("VirtualMachine"))
                    .orElseThrow(
                        () -> ProviderException.invalidSpec("unknown template " + templatePath)))
        .chain(
            template ->
                cloneVm(
                    template,
                    null,
                    request.host(),
                    vmName,
                    request.vmId(),
                    request.operationId(),
                    "<numCPUs>"
                        + request.cpus()
                        + "</numCPUs><memoryMB>"
                        + request.memoryMiB()
                        + "</memoryMB>",
                    settings.timeouts().instanceReady()))
        .call(vm -> ensureSize(vm, request))
        .invoke(
            vm ->
                LOG.infof(
                    "cloned %s from %s as %s (vmId %s, operationId %s)",
                    vmName, templatePath, vm, request.vmId(), request.operationId()));
  }

  /**
   * {@code CloneVM_Task} of {@code source} (at {@code snapshot} if given), powered off, on {@code
   * host} (a host of the cluster; null: vCenter places it).
   */
  private Uni<ManagedObjectReference> cloneVm(
      ManagedObjectReference source,
      ManagedObjectReference snapshot,
      String host,
      String vmName,
      String vmId,
      String operationId,
      String sizes,
      Duration limit) {
    return fieldKey(true)
        .chain(this::placement)
        .chain(
            where ->
                host == null ? Uni.createFrom().item(where) : targetHost(host).map(where::onHost))
        .chain(
            where ->
                task(
                    "CloneVM_Task",
                    source,
                    cloneBody(where, vmName, vmId, operationId, sizes, snapshot),
                    limit))
        .map(
            result ->
                result
                    .map(Soap::toMoRef)
                    .orElseThrow(
                        () ->
                            new ProviderException(
                                ErrorType.RETRYABLE, "CloneVM_Task succeeded without a VM")));
  }

  /**
   * Reconfigures the clone when it did not take the clone spec's CPUs and memory (vcsim copies the
   * template's); a no-op on vCenter, which applies {@code spec.config}.
   */
  private Uni<Void> ensureSize(ManagedObjectReference vm, CreateRequest request) {
    return vim.retrieveProperties(vm, SIZE_PATHS)
        .chain(
            props -> {
              boolean sized =
                  props.number("config.hardware.numCPU").orElse(-1L) == request.cpus()
                      && props.number("config.hardware.memoryMB").orElse(-1L)
                          == request.memoryMiB();
              if (sized) {
                return done();
              }
              String spec =
                  "<spec>"
                      + Soap.element("numCPUs", Integer.toString(request.cpus()))
                      + Soap.element("memoryMB", Long.toString(request.memoryMiB()))
                      + "</spec>";
              return task("ReconfigVM_Task", vm, spec, actionTimeout()).replaceWithVoid();
            });
  }

  /** Folder, resource pool, datastore and (when asked for) host of a clone. */
  private record Placement(
      ManagedObjectReference folder,
      ManagedObjectReference pool,
      ManagedObjectReference datastore,
      ManagedObjectReference host) {
    Placement onHost(ManagedObjectReference newHost) {
      return new Placement(folder, pool, datastore, newHost);
    }
  }

  private Uni<Placement> placement(Optional<String> ignoredKey) {
    return required(settings.vmFolderPath())
        .chain(
            folder ->
                required(settings.clusterPath())
                    .chain(cluster -> vim.retrieveProperties(cluster, List.of("resourcePool")))
                    .map(
                        props ->
                            Optional.ofNullable(props.values().get("resourcePool"))
                                .map(Soap::toMoRef)
                                .orElseThrow(
                                    () ->
                                        ProviderException.invalidSpec(
                                            settings.clusterPath() + " has no resource pool")))
                    .chain(
                        pool ->
                            required(settings.datastorePath())
                                .map(ds -> new Placement(folder, pool, ds, null))));
  }

  private Uni<ManagedObjectReference> required(String path) {
    return vim.findByInventoryPath(path)
        .map(
            ref ->
                ref.orElseThrow(
                    () -> ProviderException.invalidSpec("nothing at the configured " + path)));
  }

  /** The body of {@code CloneVM_Task}, elements in the order of the vim25 schema. */
  private static String cloneBody(
      Placement where,
      String vmName,
      String vmId,
      String operationId,
      String sizes,
      ManagedObjectReference snapshot) {
    String annotation =
        "Managed by VirtSaga. vmId="
            + vmId
            + (operationId == null ? "" : " operationId=" + operationId);
    return Soap.moRef("folder", where.folder())
        + Soap.element("name", vmName)
        + "<spec><location>"
        + Soap.moRef("datastore", where.datastore())
        + Soap.moRef("pool", where.pool())
        + (where.host() == null ? "" : Soap.moRef("host", where.host()))
        + "</location><template>false</template><config>"
        + Soap.element("annotation", annotation)
        + sizes
        + "</config><powerOn>false</powerOn>"
        + (snapshot == null ? "" : Soap.moRef("snapshot", snapshot))
        + "</spec>";
  }

  /** {@code <name>-<vmId>}, the name cut so the whole fits vSphere's 80 characters. */
  static String vmName(String name, String vmId) {
    String suffix = "-" + vmId;
    String base = name.replaceAll("[/\\\\%]", "_");
    int room = Math.max(0, MAX_NAME - suffix.length());
    return (base.length() > room ? base.substring(0, room) : base) + suffix;
  }

  // --- the tag -----------------------------------------------------------------------------

  private Uni<Void> tag(ManagedObjectReference vm, String vmId) {
    return fieldKey(true)
        .chain(
            key ->
                vim.invoke(
                    "SetField",
                    customFieldsManager(),
                    Soap.moRef("entity", vm)
                        + Soap.element("key", key.orElseThrow())
                        + Soap.element("value", vmId)))
        .replaceWithVoid();
  }

  /**
   * The key of {@value #TAG_FIELD}: read from the CustomFieldsManager (cached per login: a
   * restarted server has forgotten it), defined when {@code create} is set and it is missing.
   */
  private Uni<Optional<String>> fieldKey(boolean create) {
    FieldKey cached = fieldKey;
    long logins = vim.logins();
    if (cached != null && cached.logins() == logins) {
      return Uni.createFrom().item(Optional.of(cached.key()));
    }
    ManagedObjectReference cfm;
    try {
      cfm = customFieldsManager();
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    Uni<Optional<String>> read =
        vim.retrieveProperties(cfm, List.of("field")).map(VSphereProvider::tagKey);
    return read.chain(
            key -> {
              if (key.isPresent() || !create) {
                return Uni.createFrom().item(key);
              }
              return vim.invoke(
                      "AddCustomFieldDef",
                      cfm,
                      Soap.element("name", TAG_FIELD) + Soap.element("moType", "VirtualMachine"))
                  .map(
                      r ->
                          Soap.child(r, "returnval")
                              .map(def -> Soap.childText(def, "key").trim())
                              .filter(k -> !k.isEmpty()))
                  // defined meanwhile by a concurrent create
                  .onFailure(type(ErrorType.CONFLICT))
                  .recoverWithUni(() -> read);
            })
        .invoke(key -> key.ifPresent(k -> fieldKey = new FieldKey(logins, k)));
  }

  private static Optional<String> tagKey(ObjectContent fields) {
    Element val = fields.values().get("field");
    if (val == null) {
      return Optional.empty();
    }
    for (Element def : Soap.children(val, "CustomFieldDef")) {
      if (TAG_FIELD.equals(Soap.childText(def, "name").trim())) {
        return Optional.of(Soap.childText(def, "key").trim());
      }
    }
    return Optional.empty();
  }

  private ManagedObjectReference customFieldsManager() {
    ServiceContent content = vim.connectedContent();
    if (content.customFieldsManager() == null) {
      throw ProviderException.notSupported(
          "the vSphere endpoint has no CustomFieldsManager (a lone ESXi host): the vmId tag needs"
              + " a vCenter");
    }
    return content.customFieldsManager();
  }

  // --- finding VMs -------------------------------------------------------------------------

  /** The VM tagged {@code vmId}: {@code providerRef} first when given, else every VM's tag. */
  private Uni<Optional<ManagedVm>> find(String vmId, String providerRef) {
    return fieldKey(false)
        .chain(
            key -> {
              if (key.isEmpty()) {
                return Uni.createFrom().item(Optional.<ManagedVm>empty());
              }
              Uni<Optional<ManagedVm>> scan =
                  managedVms(key.get())
                      .map(all -> all.stream().filter(vm -> vm.vmId().equals(vmId)).findFirst());
              if (providerRef == null || providerRef.isBlank()) {
                return scan;
              }
              ManagedObjectReference ref =
                  new ManagedObjectReference("VirtualMachine", providerRef);
              return vim.retrieveProperties(ref, VM_PATHS)
                  .map(props -> managed(props, key.get()).filter(vm -> vm.vmId().equals(vmId)))
                  .onFailure(type(ErrorType.NOT_FOUND))
                  .recoverWithItem(Optional.empty())
                  .chain(direct -> direct.isPresent() ? Uni.createFrom().item(direct) : scan);
            });
  }

  private Uni<List<ManagedVm>> managedVms() {
    return fieldKey(false)
        .chain(
            key ->
                key.isEmpty()
                    ? Uni.createFrom().item(List.<ManagedVm>of())
                    : managedVms(key.get()));
  }

  /** One property read of every VM in the inventory (a container view), keeping tagged ones. */
  private Uni<List<ManagedVm>> managedVms(String key) {
    return withVmView(view -> vim.retrieveFromView(view, "VirtualMachine", VM_PATHS))
        .map(
            all -> {
              List<ManagedVm> out = new ArrayList<>();
              for (ObjectContent vm : all) {
                managed(vm, key).ifPresent(out::add);
              }
              return out;
            });
  }

  /** A {@code ContainerView} of every VM in the inventory; the caller destroys it. */
  Uni<ManagedObjectReference> createVmView() {
    ServiceContent content = vim.connectedContent();
    if (content.viewManager() == null) {
      return Uni.createFrom()
          .failure(ProviderException.notSupported("the vSphere endpoint has no ViewManager"));
    }
    String inner =
        Soap.moRef("container", content.rootFolder())
            + Soap.element("type", "VirtualMachine")
            + "<recursive>true</recursive>";
    return vim.invoke("CreateContainerView", content.viewManager(), inner)
        .map(r -> Soap.returnMoRef(r, "CreateContainerView returned no view"));
  }

  private <T> Uni<T> withVmView(Function<ManagedObjectReference, Uni<T>> use) {
    return createVmView()
        .chain(
            view ->
                use.apply(view)
                    .eventually(
                        () -> vim.invoke("DestroyView", view, "").onFailure().recoverWithNull()));
  }

  static Optional<ManagedVm> managed(ObjectContent vm, String key) {
    Element custom = vm.values().get("customValue");
    if (custom == null) {
      return Optional.empty();
    }
    String vmId = null;
    for (Element value : Soap.children(custom, "CustomFieldValue")) {
      if (key.equals(Soap.childText(value, "key").trim())) {
        vmId = Soap.childText(value, "value").trim();
      }
    }
    if (vmId == null || vmId.isEmpty()) {
      return Optional.empty();
    }
    Set<String> ips = new LinkedHashSet<>();
    vm.text("guest.ipAddress").map(String::trim).filter(s -> !s.isEmpty()).ifPresent(ips::add);
    Element net = vm.values().get("guest.net");
    if (net != null) {
      for (Element nic : Soap.children(net, "GuestNicInfo")) {
        for (Element ip : Soap.children(nic, "ipAddress")) {
          String a = ip.getTextContent().trim();
          if (!a.isEmpty()) {
            ips.add(a);
          }
        }
      }
    }
    return Optional.of(
        new ManagedVm(
            vmId,
            vm.obj(),
            vm.text("name").orElse(""),
            vm.text("runtime.powerState").orElse(""),
            List.copyOf(ips)));
  }

  static VmDescription description(ManagedVm vm) {
    Map<String, String> raw = new LinkedHashMap<>();
    raw.put("moRef", vm.ref().toString());
    raw.put("name", vm.name());
    raw.put("powerState", vm.powerState());
    return new VmDescription(
        vm.vmId(), vm.ref().value(), true, powerState(vm.powerState()), vm.ips(), null, raw);
  }

  static PowerState powerState(String vsphere) {
    return switch (vsphere) {
      case "poweredOn" -> PowerState.ON;
      case "poweredOff" -> PowerState.OFF;
      case "suspended" -> PowerState.PAUSED;
      default -> PowerState.UNKNOWN;
    };
  }

  // --- tasks -------------------------------------------------------------------------------

  /**
   * Starts a {@code *_Task} method and follows its Task until it is done.
   *
   * @return {@code info.result} of a successful task, if it has one
   */
  private Uni<Optional<Element>> task(
      String method, ManagedObjectReference self, String inner, Duration limit) {
    return vim.invoke(method, self, inner)
        .map(r -> Soap.returnMoRef(r, method + " returned no task"))
        .chain(
            t ->
                awaitTask(method, t)
                    .ifNoItem()
                    .after(limit)
                    .failWith(
                        () ->
                            new ProviderException(
                                ErrorType.TIMEOUT,
                                method + " on " + self + ": " + t + " not done within " + limit)));
  }

  private Uni<Optional<Element>> awaitTask(String method, ManagedObjectReference task) {
    return vim.retrieveProperties(task, TASK_PATHS)
        .chain(
            props -> {
              String state = props.text("info.state").orElse("");
              return switch (state) {
                case "success" ->
                    Uni.createFrom().item(Optional.ofNullable(props.values().get("info.result")));
                case "error" -> Uni.createFrom().failure(taskError(method, props));
                default ->
                    Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(settings.timeouts().pollInterval())
                        .chain(() -> awaitTask(method, task));
              };
            });
  }

  /** A failed task's {@code info.error} (a LocalizedMethodFault) as a typed exception. */
  private static ProviderException taskError(String what, ObjectContent props) {
    Element error = props.values().get("info.error");
    String faultType =
        error == null ? "" : Soap.child(error, "fault").map(Soap::xsiType).orElse("");
    String message = error == null ? "" : Soap.childText(error, "localizedMessage");
    return new ProviderException(
        VimFaults.typeOf(faultType), what + " failed: " + faultType + " " + message);
  }

  // --- plumbing ----------------------------------------------------------------------------

  private Duration actionTimeout() {
    return settings.timeouts().actionComplete();
  }

  /** Connects on first use (and after a failed attempt); one attempt shared by all callers. */
  private Uni<Void> connected() {
    return Uni.createFrom().deferred(this::connectOnce);
  }

  private synchronized Uni<Void> connectOnce() {
    if (vim.serviceContent().isPresent()) {
      return Uni.createFrom().voidItem();
    }
    if (connecting == null) {
      connecting =
          vim.connect()
              .replaceWithVoid()
              .onTermination()
              .invoke(this::connectDone)
              .memoize()
              .indefinitely();
    }
    return connecting;
  }

  private synchronized void connectDone() {
    connecting = null;
  }

  private static Uni<Void> done() {
    return Uni.createFrom().voidItem();
  }

  private static Uni<Void> conflict(String message) {
    return Uni.createFrom().failure(ProviderException.conflict(message));
  }

  private static java.util.function.Predicate<Throwable> type(ErrorType type) {
    return f -> f instanceof ProviderException pe && pe.type() == type;
  }
}
