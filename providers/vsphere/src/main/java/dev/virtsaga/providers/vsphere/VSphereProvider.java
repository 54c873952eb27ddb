package dev.virtsaga.providers.vsphere;

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
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
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
public final class VSphereProvider implements Provider, AutoCloseable {
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
  }

  @Override
  public String name() {
    return "vsphere";
  }

  /** Graceful shutdown ({@code ShutdownGuest}), reboot ({@code ResetVM_Task}), suspend/resume. */
  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.GRACEFUL_SHUTDOWN, Capability.REBOOT, Capability.SUSPEND_RESUME);
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
    return connected()
        .chain(() -> find(vmId, providerRef))
        .chain(
            found -> {
              ManagedVm vm =
                  found.orElseThrow(() -> ProviderException.notFound("no VM tagged " + vmId));
              return power(vm, op);
            });
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
              ? task("ResetVM_Task", vm.ref(), "", limit).replaceWithVoid()
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

  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return connected()
        .chain(() -> find(vmId, providerRef))
        .map(found -> found.map(VSphereProvider::description).orElse(VmDescription.absent(vmId)));
  }

  /**
   * The tagged VMs ordered by vmId; the page token is the last vmId of the page (base64url), so a
   * page never repeats or skips a VM that stays.
   */
  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    if (pageSize < 1) {
      return Uni.createFrom()
          .failure(ProviderException.invalidSpec("pageSize must be at least 1, was " + pageSize));
    }
    String after;
    try {
      after =
          pageToken == null
              ? null
              : new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Uni.createFrom()
          .failure(ProviderException.invalidSpec("not a page token of this provider"));
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
                  rest.size() > pageSize
                      ? Base64.getUrlEncoder()
                          .withoutPadding()
                          .encodeToString(
                              page.get(page.size() - 1).vmId().getBytes(StandardCharsets.UTF_8))
                      : null;
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
    try {
      vim.logout().await().atMost(settings.vim().requestTimeout());
    } catch (RuntimeException e) {
      LOG.debugf("logout from vSphere failed: %s", e.getMessage());
    }
    vim.close();
  }

  // --- create ------------------------------------------------------------------------------

  private Uni<CreateResult> findOrClone(CreateRequest request) {
    String vmName = vmName(request);
    return find(request.vmId(), null)
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
                              // cloned by an earlier attempt that did not get to SetField
                              ? tag(byName.get(), request.vmId())
                                  .map(v -> new CreateResult(byName.get().value(), null, false))
                              : cloneAndTag(request, vmName));
            });
  }

  private Uni<CreateResult> cloneAndTag(CreateRequest request, String vmName) {
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
    return fieldKey(true)
        .chain(() -> vim.findByInventoryPath(templatePath))
        .map(
            t ->
                t.filter(ref -> ref.type().equals("VirtualMachine"))
                    .orElseThrow(
                        () -> ProviderException.invalidSpec("unknown template " + templatePath)))
        .chain(
            template ->
                placement()
                    .chain(
                        where ->
                            task(
                                "CloneVM_Task",
                                template,
                                cloneBody(request, vmName, where),
                                settings.timeouts().instanceReady())))
        .map(
            result ->
                result
                    .map(Soap::toMoRef)
                    .orElseThrow(
                        () ->
                            new ProviderException(
                                ErrorType.RETRYABLE, "CloneVM_Task succeeded without a VM")))
        .call(vm -> tag(vm, request.vmId()))
        .call(vm -> ensureSize(vm, request))
        .invoke(
            vm ->
                LOG.infof(
                    "cloned %s from %s as %s (vmId %s, operationId %s)",
                    vmName, templatePath, vm, request.vmId(), request.operationId()))
        .map(vm -> new CreateResult(vm.value(), null, true))
        .onFailure(type(ErrorType.CONFLICT))
        .recoverWithUni(
            conflict ->
                // a concurrent create of the same vmId won the name: return its VM
                find(request.vmId(), null)
                    .map(
                        again ->
                            again
                                .map(vm -> new CreateResult(vm.ref().value(), null, false))
                                .orElseThrow(() -> (ProviderException) conflict)));
  }

  /**
   * Reconfigures the clone when it did not take the clone spec's CPUs and memory (vcsim copies the
   * template's); a no-op on vCenter, which applies {@code spec.config}.
   */
  private Uni<Void> ensureSize(ManagedObjectReference vm, CreateRequest request) {
    return vim.retrieveProperties(vm, List.of("config.hardware.numCPU", "config.hardware.memoryMB"))
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

  /** Folder, resource pool and datastore of a clone. */
  private record Placement(
      ManagedObjectReference folder,
      ManagedObjectReference pool,
      ManagedObjectReference datastore) {}

  private Uni<Placement> placement() {
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
                                .map(ds -> new Placement(folder, pool, ds))));
  }

  private Uni<ManagedObjectReference> required(String path) {
    return vim.findByInventoryPath(path)
        .map(
            ref ->
                ref.orElseThrow(
                    () -> ProviderException.invalidSpec("nothing at the configured " + path)));
  }

  /** The body of {@code CloneVM_Task}, elements in the order of the vim25 schema. */
  private static String cloneBody(CreateRequest request, String vmName, Placement where) {
    String annotation =
        "Managed by VirtSaga. vmId="
            + request.vmId()
            + (request.operationId() == null ? "" : " operationId=" + request.operationId());
    return Soap.moRef("folder", where.folder())
        + Soap.element("name", vmName)
        + "<spec><location>"
        + Soap.moRef("datastore", where.datastore())
        + Soap.moRef("pool", where.pool())
        + "</location><template>false</template><config>"
        + Soap.element("annotation", annotation)
        + Soap.element("numCPUs", Integer.toString(request.cpus()))
        + Soap.element("memoryMB", Long.toString(request.memoryMiB()))
        + "</config><powerOn>false</powerOn></spec>";
  }

  /** {@code <name>-<vmId>}, the name cut so the whole fits vSphere's 80 characters. */
  static String vmName(CreateRequest request) {
    String suffix = "-" + request.vmId();
    String base = request.name().replaceAll("[/\\\\%]", "_");
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
    ServiceContent content =
        vim.serviceContent()
            .orElseThrow(() -> new ProviderException(ErrorType.UNAVAILABLE, "not connected"));
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

  private <T> Uni<T> withVmView(Function<ManagedObjectReference, Uni<T>> use) {
    ServiceContent content =
        vim.serviceContent()
            .orElseThrow(() -> new ProviderException(ErrorType.UNAVAILABLE, "not connected"));
    if (content.viewManager() == null) {
      return Uni.createFrom()
          .failure(ProviderException.notSupported("the vSphere endpoint has no ViewManager"));
    }
    String inner =
        Soap.moRef("container", content.rootFolder())
            + Soap.element("type", "VirtualMachine")
            + "<recursive>true</recursive>";
    return vim.invoke("CreateContainerView", content.viewManager(), inner)
        .map(
            r ->
                Soap.child(r, "returnval")
                    .map(Soap::toMoRef)
                    .orElseThrow(
                        () ->
                            new ProviderException(
                                ErrorType.RETRYABLE, "CreateContainerView returned no view")))
        .chain(
            view ->
                use.apply(view)
                    .eventually(
                        () -> vim.invoke("DestroyView", view, "").onFailure().recoverWithNull()));
  }

  private static Optional<ManagedVm> managed(ObjectContent vm, String key) {
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

  private static VmDescription description(ManagedVm vm) {
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
        .map(
            r ->
                Soap.child(r, "returnval")
                    .map(Soap::toMoRef)
                    .orElseThrow(
                        () ->
                            new ProviderException(
                                ErrorType.RETRYABLE, method + " returned no task")))
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
