package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.HOSTNAME_LABEL;
import static dev.virtsaga.providers.kubevirt.KubeVirtMapper.VM_ID_LABEL;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CloneRequest;
import dev.virtsaga.providers.spi.Cloning;
import dev.virtsaga.providers.spi.Console;
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
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The KubeVirt adapter on the fabric8 Kubernetes client: VirtualMachines in one namespace, each
 * labelled {@value KubeVirtMapper#VM_ID_LABEL}={@code <vmId>} (also on its template, so its VMI
 * carries it) and named {@code <name>-<vmId>}.
 *
 * <p>fabric8's DSL blocks, so every API call runs on the executor given to the constructor (never
 * on the caller's thread); subresource calls ({@code start}, {@code stop}, {@code restart}, {@code
 * pause}, {@code unpause}) use fabric8's asynchronous HTTP client. Operations wait until KubeVirt
 * has done them (the VM Running, the snapshot ready, the clone made) — polling every {@code
 * pollInterval}, for at most {@code instanceReady} (start, clone, restore) or {@code
 * actionComplete}, then TIMEOUT — except migration, whose VirtualMachineInstanceMigration is
 * returned as a task.
 *
 * <p>Capabilities are detected from API discovery ({@link #validate()}): SNAPSHOTS needs {@code
 * snapshot.kubevirt.io/v1beta1}, CLONE also {@code clone.kubevirt.io/v1beta1}; until the first
 * discovery, only what {@code kubevirt.io/v1} gives is declared.
 */
public final class KubeVirtProvider
    implements Provider,
        Reconfigurable,
        Snapshots,
        Cloning,
        Migration,
        Console,
        WatchSource,
        AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KubeVirtProvider.class);

  static final String ANNOTATION_OPERATION = "virtsaga.dev/operation-id";
  static final String ANNOTATION_NAME = "virtsaga.dev/name";
  static final String ANNOTATION_SNAPSHOT_NAME = "virtsaga.dev/snapshot-name";
  static final String ANNOTATION_SNAPSHOT_DESCRIPTION = "virtsaga.dev/snapshot-description";
  static final String ANNOTATION_SNAPSHOT_POWER = "virtsaga.dev/power";
  static final String ANNOTATION_SNAPSHOT_PARENT = "virtsaga.dev/parent";
  static final String ANNOTATION_CURRENT_SNAPSHOT = "virtsaga.dev/current-snapshot";

  /** Labels of a create that choose an instancetype / preference (cluster-wide by default). */
  public static final String LABEL_INSTANCETYPE = "kubevirt.virtsaga.dev/instancetype";

  public static final String LABEL_PREFERENCE = "kubevirt.virtsaga.dev/preference";

  /** {@code namespaced} makes the instancetype and preference labels name namespaced objects. */
  public static final String LABEL_INSTANCETYPE_KIND = "kubevirt.virtsaga.dev/instancetype-kind";

  private static final int MAX_NAME = 63;
  private static final String LABEL_VALUE = "([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]";
  private static final String LABEL_KEY =
      "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
          + "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
  private static final Set<Capability> CORE =
      EnumSet.of(
          Capability.GRACEFUL_SHUTDOWN,
          Capability.REBOOT,
          Capability.SUSPEND_RESUME,
          Capability.RECONFIGURE,
          Capability.MIGRATION,
          Capability.CONSOLE,
          Capability.WATCH);

  private final KubeVirtSettings settings;
  private final KubernetesClient client;
  private final Executor executor;
  private volatile KubeVirtApi.Served served;

  /**
   * @param executor where the blocking fabric8 calls run (a worker pool, never an event loop)
   */
  public KubeVirtProvider(KubeVirtSettings settings, Executor executor) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.client = new KubernetesClientBuilder().withConfig(settings.clientConfig()).build();
  }

  @Override
  public String name() {
    return "kubevirt";
  }

  /**
   * What {@code kubevirt.io/v1} gives (power incl. graceful shutdown, reboot and pause, CPU and
   * memory, live migration, VNC console, watch), plus SNAPSHOTS and CLONE when discovery found
   * their API groups. Not: DISKS and DISK_RESIZE (a containerDisk has the image's size; sizes would
   * need DataVolumes, which this adapter does not manage), DISK_EXPORT_IMPORT, ASYNC_TASKS.
   */
  @Override
  public Set<Capability> capabilities() {
    Set<Capability> caps = EnumSet.copyOf(CORE);
    KubeVirtApi.Served s = served;
    if (s != null && s.serves(KubeVirtApi.SNAPSHOT)) {
      caps.add(Capability.SNAPSHOTS);
      if (s.serves(KubeVirtApi.CLONE)) {
        caps.add(Capability.CLONE);
      }
    }
    return caps;
  }

  /** Reads API discovery (which KubeVirt groups and versions the cluster serves). */
  @Override
  public Uni<Void> validate() {
    return blocking("API discovery", () -> KubeVirtApi.Served.of(client.getApiGroups()))
        .invoke(
            s -> {
              if (!s.serves(KubeVirtApi.KUBEVIRT)) {
                throw new ProviderException(
                    ErrorType.UNAVAILABLE,
                    "the cluster does not serve kubevirt.io/v1: KubeVirt is not installed");
              }
              if (served == null || !served.equals(s)) {
                LOG.infof("KubeVirt API at %s serves %s", settings.masterUrl(), s.served());
              }
              served = s;
            })
        .replaceWithVoid();
  }

  /** The detected capabilities, after a discovery if none was made yet. */
  public Uni<Set<Capability>> detectCapabilities() {
    return validate().map(v -> capabilities());
  }

  // --- create / delete ---------------------------------------------------------------------

  /**
   * A VirtualMachine with {@code runStrategy: Halted}: a containerDisk of the request's image, CPUs
   * and memory (or an instancetype and preference named by labels), pod network. Checked first with
   * a server-side dry run, so a spec the API (KubeVirt's admission webhooks) refuses is
   * INVALID_SPEC with the API's causes, and nothing is made.
   */
  @Override
  public Uni<CreateResult> create(CreateRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              if (request.diskGiB() > 0) {
                throw ProviderException.notSupported(
                    "kubevirt VMs boot a containerDisk of the image's own size: diskGiB "
                        + request.diskGiB()
                        + " cannot be set (capability DISKS is not declared)");
              }
              requireLabelValue(request.vmId(), "vmId");
              return findVm(request.vmId(), null);
            })
        .chain(
            found -> {
              if (found.isPresent()) {
                return Uni.createFrom()
                    .item(new CreateResult(KubeVirtMapper.name(found.get()), null, false));
              }
              GenericKubernetesResource vm = vmObject(request);
              return blocking(
                      "create " + request.vmId(),
                      () -> {
                        vms().resource(vm).dryRun().create();
                        return vms().resource(vm).create();
                      })
                  .map(made -> new CreateResult(KubeVirtMapper.name(made), null, true))
                  .invoke(
                      made ->
                          LOG.infof(
                              "created VirtualMachine %s (vmId %s, operationId %s)",
                              made.providerRef(), request.vmId(), request.operationId()))
                  .onFailure(type(ErrorType.CONFLICT))
                  .recoverWithUni(
                      conflict ->
                          // a concurrent create of the same vmId won the name
                          findVm(request.vmId(), null)
                              .map(
                                  again ->
                                      again
                                          .map(
                                              v ->
                                                  new CreateResult(
                                                      KubeVirtMapper.name(v), null, false))
                                          .orElseThrow(() -> (ProviderException) conflict)));
            });
  }

  /**
   * Checks a create against the API without making anything (a server-side dry run): the API's own
   * validation and KubeVirt's admission webhooks.
   */
  public Uni<Void> validateSpec(CreateRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              GenericKubernetesResource vm = vmObject(request);
              return blocking(
                  "validate " + request.vmId(), () -> vms().resource(vm).dryRun().create());
            })
        .replaceWithVoid();
  }

  GenericKubernetesResource vmObject(CreateRequest request) {
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> annotations = new LinkedHashMap<>();
    request
        .labels()
        .forEach(
            (k, v) -> {
              if (k.matches(LABEL_KEY) && v.matches(LABEL_VALUE) && !k.equals(VM_ID_LABEL)) {
                labels.put(k, v);
              } else {
                annotations.put("virtsaga.dev/label." + k.replace('/', '.'), v);
              }
            });
    labels.put(VM_ID_LABEL, request.vmId());
    labels.put("app.kubernetes.io/managed-by", "virtsaga");
    annotations.put(ANNOTATION_NAME, request.name());
    if (request.operationId() != null) {
      annotations.put(ANNOTATION_OPERATION, request.operationId());
    }
    String instancetype = request.labels().get(LABEL_INSTANCETYPE);
    String preference = request.labels().get(LABEL_PREFERENCE);
    boolean namespaced = "namespaced".equals(request.labels().get(LABEL_INSTANCETYPE_KIND));

    Map<String, Object> domain = new LinkedHashMap<>();
    if (instancetype == null) {
      domain.put("cpu", Map.of("cores", request.cpus()));
      domain.put("memory", Map.of("guest", request.memoryMiB() + "Mi"));
    }
    domain.put(
        "devices",
        Map.of(
            "disks", List.of(Map.of("name", "rootdisk", "disk", Map.of("bus", "virtio"))),
            "interfaces", List.of(Map.of("name", "default", "masquerade", Map.of()))));
    String image =
        request.image() == null || request.image().isBlank()
            ? settings.defaultImage()
            : request.image().trim();
    Map<String, Object> templateSpec = new LinkedHashMap<>();
    templateSpec.put("domain", domain);
    templateSpec.put("networks", List.of(Map.of("name", "default", "pod", Map.of())));
    templateSpec.put(
        "volumes", List.of(Map.of("name", "rootdisk", "containerDisk", Map.of("image", image))));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("runStrategy", "Halted");
    if (instancetype != null) {
      spec.put(
          "instancetype",
          Map.of(
              "kind",
              namespaced ? "VirtualMachineInstancetype" : "VirtualMachineClusterInstancetype",
              "name",
              instancetype));
    }
    if (preference != null) {
      spec.put(
          "preference",
          Map.of(
              "kind",
              namespaced ? "VirtualMachinePreference" : "VirtualMachineClusterPreference",
              "name",
              preference));
    }
    spec.put(
        "template",
        Map.of(
            "metadata",
            Map.of("labels", Map.of(VM_ID_LABEL, request.vmId())),
            "spec",
            templateSpec));

    GenericKubernetesResource vm = new GenericKubernetesResource();
    vm.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM));
    vm.setKind("VirtualMachine");
    vm.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(vmName(request.name(), request.vmId()))
            .withNamespace(settings.namespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            .build());
    vm.setAdditionalProperty("spec", spec);
    return vm;
  }

  /** {@code <name>-<vmId>}: the name made a DNS label and cut so the whole fits 63 characters. */
  static String vmName(String name, String vmId) {
    String suffix = "-" + vmId.toLowerCase(Locale.ROOT);
    String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    int room = Math.max(0, MAX_NAME - suffix.length());
    base = base.length() > room ? base.substring(0, room) : base;
    base = base.replaceAll("^-+", "").replaceAll("-+$", "");
    return (base.isEmpty() ? "vm" : base) + suffix;
  }

  /** Deletes the VM (KubeVirt deletes its VMI) and waits until it is gone; absent → OK. */
  @Override
  public Uni<Void> delete(String vmId, String providerRef) {
    return findVm(vmId, providerRef)
        .chain(
            found -> {
              if (found.isEmpty()) {
                return done();
              }
              String name = KubeVirtMapper.name(found.get());
              return blocking("delete " + name, () -> vms().withName(name).delete())
                  .chain(
                      () ->
                          until(
                              "deletion of " + name,
                              () -> vms().withName(name).get(),
                              Objects::isNull,
                              settings.timeouts().actionComplete()))
                  .invoke(() -> LOG.infof("deleted VirtualMachine %s (vmId %s)", name, vmId))
                  .replaceWithVoid();
            })
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithNull()
        .replaceWithVoid();
  }

  // --- power -------------------------------------------------------------------------------

  /**
   * Through the VM's subresources, then waits for the state: ON {@code start} → Running; OFF {@code
   * stop} with grace period 0 → Stopped; SHUTDOWN_GRACEFUL {@code stop} (the guest gets its grace
   * period; returns once asked); REBOOT {@code restart} → a new VMI Running; SUSPEND {@code pause}
   * (VMI) → Paused; RESUME {@code unpause} → Running. A start that ends in an error state
   * (ErrImagePull, ErrorUnschedulable, CrashLoopBackOff, …) fails with its cause.
   */
  @Override
  public Uni<Void> power(String vmId, String providerRef, PowerOp op) {
    return existingVm(vmId, providerRef).chain(vm -> power(vm, op));
  }

  private Uni<Void> power(GenericKubernetesResource vm, PowerOp op) {
    String name = KubeVirtMapper.name(vm);
    String status = KubeVirtMapper.printableStatus(vm);
    boolean running = "Running".equals(status) || "Migrating".equals(status);
    boolean paused = "Paused".equals(status);
    boolean stopped = "Stopped".equals(status);
    return switch (op) {
      case ON ->
          running
              ? done()
              : subresource("virtualmachines", name, "start", "{}")
                  .chain(() -> awaitStatus(name, "Running", settings.timeouts().instanceReady()));
      case OFF ->
          stopped
              ? done()
              : subresource("virtualmachines", name, "stop", "{\"gracePeriod\":0}")
                  .chain(() -> awaitStatus(name, "Stopped", settings.timeouts().actionComplete()));
      case SHUTDOWN_GRACEFUL ->
          stopped ? done() : subresource("virtualmachines", name, "stop", "{}");
      case REBOOT -> {
        if (!running) {
          yield conflict("reboot needs a running VM; " + name + " is " + status);
        }
        String before = vmiUid(name);
        yield subresource("virtualmachines", name, "restart", "{}")
            .chain(
                () ->
                    until(
                        "restart of " + name,
                        () -> vmiOf(name),
                        vmi ->
                            vmi != null
                                && !Objects.equals(uid(vmi), before)
                                && KubeVirtMapper.vmiPower(vmi) == PowerState.ON,
                        settings.timeouts().instanceReady()))
            .replaceWithVoid();
      }
      case SUSPEND ->
          paused
              ? done()
              : running
                  ? subresource("virtualmachineinstances", name, "pause", "{}")
                      .chain(
                          () -> awaitStatus(name, "Paused", settings.timeouts().actionComplete()))
                  : conflict("suspend needs a running VM; " + name + " is " + status);
      case RESUME ->
          running
              ? done()
              : paused
                  ? subresource("virtualmachineinstances", name, "unpause", "{}")
                      .chain(
                          () -> awaitStatus(name, "Running", settings.timeouts().actionComplete()))
                  : conflict("resume needs a paused VM; " + name + " is " + status);
    };
  }

  private String vmiUid(String name) {
    try {
      return uid(vmiOf(name));
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  private static String uid(GenericKubernetesResource r) {
    return r == null || r.getMetadata() == null ? null : r.getMetadata().getUid();
  }

  /** Waits for a printableStatus; an error state on the way fails the wait with its cause. */
  private Uni<Void> awaitStatus(String name, String wanted, Duration limit) {
    return until(
            wanted + " of " + name,
            () -> vms().withName(name).get(),
            vm -> {
              if (vm == null) {
                throw ProviderException.notFound("VirtualMachine " + name + " vanished");
              }
              if ("Running".equals(wanted) && KubeVirtMapper.isErrorState(vm)) {
                throw KubeVirtMapper.startFailure(vm);
              }
              return wanted.equals(KubeVirtMapper.printableStatus(vm));
            },
            limit)
        .replaceWithVoid();
  }

  // --- describe / list ---------------------------------------------------------------------

  @Override
  public Uni<VmDescription> describe(String vmId, String providerRef) {
    return findVm(vmId, providerRef)
        .chain(
            found ->
                found.isEmpty()
                    ? Uni.createFrom().item(VmDescription.absent(vmId))
                    : blocking(
                        "describe " + vmId,
                        () ->
                            KubeVirtMapper.describe(
                                vmId, found.get(), vmiOf(KubeVirtMapper.name(found.get())))));
  }

  /**
   * Kubernetes paging: {@code limit} and the API's {@code continue} token; the order is by name.
   */
  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    if (pageSize < 1) {
      return Uni.createFrom()
          .failure(ProviderException.invalidSpec("pageSize must be at least 1, was " + pageSize));
    }
    return blocking(
        "list",
        () -> {
          GenericKubernetesResourceList page =
              vms()
                  .withLabel(VM_ID_LABEL)
                  .list(
                      new ListOptionsBuilder()
                          .withLimit((long) pageSize)
                          .withContinue(pageToken)
                          .build());
          Map<String, GenericKubernetesResource> vmis = vmisByName();
          List<VmDescription> items = new ArrayList<>();
          for (GenericKubernetesResource vm : page.getItems()) {
            items.add(
                KubeVirtMapper.describe(
                    KubeVirtMapper.vmId(vm), vm, vmis.get(KubeVirtMapper.name(vm))));
          }
          String next = page.getMetadata() == null ? null : page.getMetadata().getContinue();
          return new Page<>(items, next == null || next.isBlank() ? null : next);
        });
  }

  /**
   * {@code snapshot/<name>}, {@code restore/<name>}, {@code clone/<name>}: phase of that object; a
   * migration's reference is its VirtualMachineInstanceMigration ({@link #migrationStatus}).
   */
  @Override
  public Uni<TaskState> taskStatus(String taskRef) {
    return migrationStatus(taskRef);
  }

  // --- reconfigure -------------------------------------------------------------------------

  /**
   * CPU cores and guest memory in the VM's template (JSON merge patch). A running VM takes them at
   * its next start: KubeVirt sets its {@code RestartRequired} condition, and the result says {@code
   * restartRequired}. A VM sized by an instancetype is NOT_SUPPORTED (change the instancetype
   * instead); disks are NOT_SUPPORTED (DISK_RESIZE is not declared).
   */
  @Override
  public Uni<ReconfigureResult> reconfigure(
      String vmId, String providerRef, ReconfigureRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              if (!request.disks().isEmpty()) {
                throw ProviderException.notSupported(
                    "kubevirt VMs here boot a containerDisk: disks cannot be added or grown"
                        + " (capability DISK_RESIZE is not declared)");
              }
              return existingVm(vmId, providerRef);
            })
        .chain(
            vm -> {
              Map<String, Object> tree = Tree.of(vm);
              if (Tree.at(tree, "spec", "instancetype").isPresent()) {
                throw ProviderException.notSupported(
                    "VM "
                        + KubeVirtMapper.name(vm)
                        + " is sized by its instancetype: CPUs and memory cannot be set apart");
              }
              Map<String, Object> domain = new LinkedHashMap<>();
              long cores =
                  Tree.number(tree, "spec", "template", "spec", "domain", "cpu", "cores")
                      .orElse(0L);
              String memory =
                  Tree.text(tree, "spec", "template", "spec", "domain", "memory", "guest")
                      .orElse("");
              if (request.cpus() != null && request.cpus() != cores) {
                domain.put("cpu", Map.of("cores", request.cpus()));
              }
              if (request.memoryMiB() != null && !memory.equals(request.memoryMiB() + "Mi")) {
                domain.put("memory", Map.of("guest", request.memoryMiB() + "Mi"));
              }
              if (domain.isEmpty()) {
                return Uni.createFrom().item(new ReconfigureResult(false, false, null));
              }
              String name = KubeVirtMapper.name(vm);
              boolean running = !"Stopped".equals(KubeVirtMapper.printableStatus(vm));
              String patch =
                  Serialization.asJson(
                      Map.of("spec", Map.of("template", Map.of("spec", Map.of("domain", domain)))));
              return blocking(
                      "reconfigure " + name,
                      () ->
                          vms()
                              .withName(name)
                              .patch(
                                  new PatchContext.Builder()
                                      .withPatchType(PatchType.JSON_MERGE)
                                      .build(),
                                  patch))
                  .map(patched -> new ReconfigureResult(true, running, null));
            });
  }

  // --- snapshots ---------------------------------------------------------------------------

  /**
   * A VirtualMachineSnapshot (online when the VM runs), named from the VM and the snapshot name,
   * waited for until {@code readyToUse}. Its name, description, the VM's power and the snapshot it
   * was taken after (the VM's current one: KubeVirt keeps no tree) are annotations.
   */
  @Override
  public Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description) {
    return Uni.createFrom()
        .deferred(
            () -> {
              Snapshots.requireValidName(name);
              return existingVm(vmId, providerRef);
            })
        .chain(
            vm ->
                snapshotsOf(vmId)
                    .chain(
                        all -> {
                          Optional<GenericKubernetesResource> same =
                              all.stream()
                                  .filter(s -> name.equals(annotation(s, ANNOTATION_SNAPSHOT_NAME)))
                                  .findFirst();
                          if (same.isPresent()) {
                            return awaitSnapshot(KubeVirtMapper.name(same.get()))
                                .map(ready -> snapshotInfo(ready, all));
                          }
                          GenericKubernetesResource snap =
                              snapshotObject(vm, vmId, name, description, all);
                          String snapName = KubeVirtMapper.name(snap);
                          return blocking(
                                  "snapshot " + snapName,
                                  () -> snapshotsApi().resource(snap).create())
                              .onFailure(type(ErrorType.CONFLICT))
                              .recoverWithNull()
                              .chain(() -> awaitSnapshot(snapName))
                              .call(ready -> setCurrentSnapshot(KubeVirtMapper.name(vm), snapName))
                              .chain(
                                  ready ->
                                      snapshotsOf(vmId).map(after -> snapshotInfo(ready, after)))
                              .invoke(
                                  s ->
                                      LOG.infof(
                                          "snapshot %s of %s (vmId %s) is ready",
                                          snapName, KubeVirtMapper.name(vm), vmId));
                        }));
  }

  private GenericKubernetesResource snapshotObject(
      GenericKubernetesResource vm,
      String vmId,
      String name,
      String description,
      List<GenericKubernetesResource> existing) {
    String vmName = KubeVirtMapper.name(vm);
    String parent = annotation(vm, ANNOTATION_CURRENT_SNAPSHOT);
    boolean parentExists =
        parent != null && existing.stream().anyMatch(s -> parent.equals(KubeVirtMapper.name(s)));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(ANNOTATION_SNAPSHOT_NAME, name);
    if (description != null) {
      annotations.put(ANNOTATION_SNAPSHOT_DESCRIPTION, description);
    }
    annotations.put(
        ANNOTATION_SNAPSHOT_POWER, KubeVirtMapper.power(vm, null) == PowerState.ON ? "ON" : "OFF");
    if (parentExists) {
      annotations.put(ANNOTATION_SNAPSHOT_PARENT, parent);
    }
    GenericKubernetesResource snap = new GenericKubernetesResource();
    snap.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_SNAPSHOT));
    snap.setKind("VirtualMachineSnapshot");
    snap.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(snapshotName(vmName, name))
            .withNamespace(settings.namespace())
            .withLabels(Map.of(VM_ID_LABEL, vmId))
            .withAnnotations(annotations)
            .build());
    snap.setAdditionalProperty(
        "spec",
        Map.of(
            "source",
            Map.of("apiGroup", KubeVirtApi.KUBEVIRT, "kind", "VirtualMachine", "name", vmName)));
    return snap;
  }

  /** {@code <vm>-<name as a DNS label>-<8 hex of the name>}, within 253 characters. */
  static String snapshotName(String vmName, String name) {
    String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String hash = sha256(name).substring(0, 8);
    String base = vmName + "-" + clean;
    if (base.length() > 240) {
      base = base.substring(0, 240);
    }
    return base.replaceAll("-+$", "") + "-" + hash;
  }

  private Uni<GenericKubernetesResource> awaitSnapshot(String snapName) {
    return until(
        "snapshot " + snapName,
        () -> snapshotsApi().withName(snapName).get(),
        s -> {
          if (s == null) {
            throw ProviderException.notFound("VirtualMachineSnapshot " + snapName + " vanished");
          }
          Map<String, Object> tree = Tree.of(s);
          if ("Failed".equals(Tree.text(tree, "status", "phase").orElse(""))) {
            throw new ProviderException(
                ErrorType.RETRYABLE,
                "snapshot "
                    + snapName
                    + " failed"
                    + KubeVirtMapper.failingCondition(tree).map(c -> ": " + c).orElse(""));
          }
          return Tree.bool(tree, "status", "readyToUse").orElse(false);
        },
        settings.timeouts().actionComplete());
  }

  private SnapshotInfo snapshotInfo(
      GenericKubernetesResource snap, List<GenericKubernetesResource> all) {
    Map<String, Object> tree = Tree.of(snap);
    String parent = annotation(snap, ANNOTATION_SNAPSHOT_PARENT);
    boolean parentExists =
        parent != null && all.stream().anyMatch(s -> parent.equals(KubeVirtMapper.name(s)));
    Instant created =
        Tree.text(tree, "status", "creationTime")
            .or(() -> Tree.text(tree, "metadata", "creationTimestamp"))
            .map(KubeVirtProvider::instant)
            .orElse(null);
    String name = annotation(snap, ANNOTATION_SNAPSHOT_NAME);
    return new SnapshotInfo(
        KubeVirtMapper.name(snap),
        name == null ? KubeVirtMapper.name(snap) : name,
        annotation(snap, ANNOTATION_SNAPSHOT_DESCRIPTION),
        created,
        "ON".equals(annotation(snap, ANNOTATION_SNAPSHOT_POWER)) ? PowerState.ON : PowerState.OFF,
        parentExists ? parent : null);
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The VM's snapshots, oldest first. */
  @Override
  public Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef) {
    return existingVm(vmId, providerRef)
        .chain(() -> snapshotsOf(vmId))
        .map(
            all ->
                all.stream()
                    .map(s -> snapshotInfo(s, all))
                    .sorted(
                        Comparator.comparing(
                                (SnapshotInfo s) ->
                                    s.createdAt() == null ? Instant.EPOCH : s.createdAt())
                            .thenComparing(s -> creationOrder(all, s.snapshotId())))
                    .toList());
  }

  /** Ties within one second broken by the API's resourceVersion (creation order). */
  private static long creationOrder(List<GenericKubernetesResource> all, String name) {
    return all.stream()
        .filter(s -> name.equals(KubeVirtMapper.name(s)))
        .findFirst()
        .flatMap(s -> Tree.number(Tree.of(s), "metadata", "resourceVersion"))
        .orElse(0L);
  }

  private Uni<List<GenericKubernetesResource>> snapshotsOf(String vmId) {
    return blocking(
        "snapshots of " + vmId,
        () -> snapshotsApi().withLabel(VM_ID_LABEL, vmId).list().getItems());
  }

  @Override
  public Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId) {
    return blocking(
            "delete snapshot " + snapshotId,
            () -> {
              GenericKubernetesResource s = snapshotsApi().withName(snapshotId).get();
              if (s != null && vmId.equals(KubeVirtMapper.vmId(s))) {
                snapshotsApi().withName(snapshotId).delete();
              }
              return s;
            })
        .chain(
            s ->
                s == null
                    ? Uni.createFrom().nullItem()
                    : until(
                        "deletion of snapshot " + snapshotId,
                        () -> snapshotsApi().withName(snapshotId).get(),
                        Objects::isNull,
                        settings.timeouts().actionComplete()))
        .onFailure(type(ErrorType.NOT_FOUND))
        .recoverWithNull()
        .replaceWithVoid();
  }

  /**
   * A VirtualMachineRestore of the snapshot: KubeVirt restores only a stopped VM, so a running VM
   * is stopped first; after the restore the VM is started again when the snapshot was taken
   * running.
   */
  @Override
  public Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId) {
    return existingVm(vmId, providerRef)
        .chain(
            vm ->
                blocking(
                        "read snapshot " + snapshotId,
                        () -> snapshotsApi().withName(snapshotId).get())
                    .map(
                        s -> {
                          if (s == null || !vmId.equals(KubeVirtMapper.vmId(s))) {
                            throw ProviderException.notFound(
                                "VM " + vmId + " has no snapshot " + snapshotId);
                          }
                          return s;
                        })
                    .chain(
                        snap -> {
                          String name = KubeVirtMapper.name(vm);
                          boolean wasOn = "ON".equals(annotation(snap, ANNOTATION_SNAPSHOT_POWER));
                          return power(vm, PowerOp.OFF)
                              .chain(() -> restore(name, snapshotId))
                              .call(() -> setCurrentSnapshot(name, snapshotId))
                              .chain(
                                  () ->
                                      wasOn
                                          ? existingVm(vmId, name).chain(v -> power(v, PowerOp.ON))
                                          : done());
                        }));
  }

  private Uni<Void> restore(String vmName, String snapshotId) {
    String restoreName = ("restore-" + snapshotId + "-" + Long.toString(System.nanoTime(), 36));
    String cut = restoreName.length() > 253 ? restoreName.substring(0, 253) : restoreName;
    GenericKubernetesResource r = new GenericKubernetesResource();
    r.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_RESTORE));
    r.setKind("VirtualMachineRestore");
    r.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName(cut)
            .withNamespace(settings.namespace())
            .build());
    r.setAdditionalProperty(
        "spec",
        Map.of(
            "target",
            Map.of("apiGroup", KubeVirtApi.KUBEVIRT, "kind", "VirtualMachine", "name", vmName),
            "virtualMachineSnapshotName",
            snapshotId));
    return blocking("restore " + snapshotId, () -> restoresApi().resource(r).create())
        .chain(
            () ->
                until(
                    "restore " + cut,
                    () -> restoresApi().withName(cut).get(),
                    done -> {
                      if (done == null) {
                        throw ProviderException.notFound(
                            "VirtualMachineRestore " + cut + " vanished");
                      }
                      Map<String, Object> tree = Tree.of(done);
                      Optional<String> failed = KubeVirtMapper.failingCondition(tree);
                      if (failed.isPresent()) {
                        throw new ProviderException(
                            ErrorType.RETRYABLE,
                            "restore of " + snapshotId + " failed: " + failed.get());
                      }
                      return Tree.bool(tree, "status", "complete").orElse(false);
                    },
                    settings.timeouts().instanceReady()))
        .invoke(() -> LOG.infof("restored %s from %s", vmName, snapshotId))
        .replaceWithVoid();
  }

  private Uni<Void> setCurrentSnapshot(String vmName, String snapName) {
    String patch =
        Serialization.asJson(
            Map.of(
                "metadata", Map.of("annotations", Map.of(ANNOTATION_CURRENT_SNAPSHOT, snapName))));
    return blocking(
            "annotate " + vmName,
            () ->
                vms()
                    .withName(vmName)
                    .patch(
                        new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
                        patch))
        .replaceWithVoid();
  }

  // --- clone -------------------------------------------------------------------------------

  /**
   * A VirtualMachineClone ({@code clone.kubevirt.io/v1beta1}) of the VM or of one of its snapshots
   * into {@code <name>-<targetVmId>}: the source's vmId label is filtered out, the target gets its
   * own and {@code runStrategy: Halted} (clone patches), waited for until Succeeded; the clone
   * object is removed afterwards.
   */
  @Override
  public Uni<CreateResult> cloneVm(CloneRequest request) {
    return Uni.createFrom()
        .deferred(
            () -> {
              request.requireValid();
              requireLabelValue(request.targetVmId(), "targetVmId");
              return findVm(request.targetVmId(), null);
            })
        .chain(
            existing -> {
              if (existing.isPresent()) {
                return Uni.createFrom()
                    .item(new CreateResult(KubeVirtMapper.name(existing.get()), null, false));
              }
              return existingVm(request.sourceVmId(), request.sourceProviderRef())
                  .chain(source -> cloneFrom(source, request));
            });
  }

  private Uni<CreateResult> cloneFrom(GenericKubernetesResource source, CloneRequest request) {
    String target = vmName(request.targetName(), request.targetVmId());
    Uni<Map<String, Object>> sourceRef;
    if (request.sourceSnapshotId() == null) {
      sourceRef =
          Uni.createFrom()
              .item(
                  Map.of(
                      "apiGroup",
                      KubeVirtApi.KUBEVIRT,
                      "kind",
                      "VirtualMachine",
                      "name",
                      KubeVirtMapper.name(source)));
    } else {
      sourceRef =
          blocking(
                  "read snapshot " + request.sourceSnapshotId(),
                  () -> snapshotsApi().withName(request.sourceSnapshotId()).get())
              .map(
                  s -> {
                    if (s == null || !request.sourceVmId().equals(KubeVirtMapper.vmId(s))) {
                      throw ProviderException.notFound(
                          "VM "
                              + request.sourceVmId()
                              + " has no snapshot "
                              + request.sourceSnapshotId());
                    }
                    return Map.of(
                        "apiGroup",
                        KubeVirtApi.SNAPSHOT,
                        "kind",
                        "VirtualMachineSnapshot",
                        "name",
                        request.sourceSnapshotId());
                  });
    }
    String cloneName = "clone-" + request.targetVmId();
    return sourceRef
        .chain(
            src -> {
              GenericKubernetesResource clone = new GenericKubernetesResource();
              clone.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.VM_CLONE));
              clone.setKind("VirtualMachineClone");
              clone.setMetadata(
                  new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                      .withName(cloneName)
                      .withNamespace(settings.namespace())
                      .withAnnotations(
                          request.operationId() == null
                              ? Map.of()
                              : Map.of(ANNOTATION_OPERATION, request.operationId()))
                      .build());
              List<String> filters = List.of("*", "!" + VM_ID_LABEL);
              clone.setAdditionalProperty(
                  "spec",
                  Map.of(
                      "source", src,
                      "target",
                          Map.of(
                              "apiGroup",
                              KubeVirtApi.KUBEVIRT,
                              "kind",
                              "VirtualMachine",
                              "name",
                              target),
                      "labelFilters", filters,
                      "template", Map.of("labelFilters", filters),
                      "patches",
                          List.of(
                              "{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Halted\"}",
                              "{\"op\":\"add\",\"path\":\"/metadata/labels/virtsaga.dev~1vm-id\",\"value\":\""
                                  + request.targetVmId()
                                  + "\"}",
                              "{\"op\":\"add\",\"path\":\"/spec/template/metadata/labels/virtsaga.dev~1vm-id\",\"value\":\""
                                  + request.targetVmId()
                                  + "\"}")));
              return blocking("clone " + cloneName, () -> clonesApi().resource(clone).create())
                  .onFailure(type(ErrorType.CONFLICT))
                  .recoverWithNull();
            })
        .chain(
            () ->
                until(
                    "clone " + cloneName,
                    () -> clonesApi().withName(cloneName).get(),
                    c -> {
                      if (c == null) {
                        throw ProviderException.notFound(
                            "VirtualMachineClone " + cloneName + " vanished");
                      }
                      Map<String, Object> tree = Tree.of(c);
                      String phase = Tree.text(tree, "status", "phase").orElse("");
                      if ("Failed".equals(phase)) {
                        throw new ProviderException(
                            ErrorType.RETRYABLE,
                            "clone "
                                + cloneName
                                + " failed"
                                + KubeVirtMapper.failingCondition(tree)
                                    .map(m -> ": " + m)
                                    .orElse(""));
                      }
                      return "Succeeded".equals(phase);
                    },
                    settings.timeouts().instanceReady()))
        .chain(() -> ensureTargetTagged(target, request))
        .call(
            () ->
                blocking(
                        "remove clone " + cloneName, () -> clonesApi().withName(cloneName).delete())
                    .onFailure()
                    .recoverWithNull())
        .map(vm -> new CreateResult(target, null, true))
        .invoke(
            r ->
                LOG.infof(
                    "cloned %s%s as %s (vmId %s)",
                    request.sourceVmId(),
                    request.sourceSnapshotId() == null ? "" : " at " + request.sourceSnapshotId(),
                    target,
                    request.targetVmId()));
  }

  /** The clone labelled with its vmId and Halted, whatever the cluster made of the patches. */
  private Uni<GenericKubernetesResource> ensureTargetTagged(String target, CloneRequest request) {
    Map<String, Object> patch =
        Map.of(
            "metadata",
            Map.of(
                "labels", Map.of(VM_ID_LABEL, request.targetVmId()),
                "annotations", Map.of(ANNOTATION_NAME, request.targetName())),
            "spec",
            Map.of(
                "runStrategy",
                "Halted",
                "template",
                Map.of("metadata", Map.of("labels", Map.of(VM_ID_LABEL, request.targetVmId())))));
    return blocking(
        "label clone " + target,
        () ->
            vms()
                .withName(target)
                .patch(
                    new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
                    Serialization.asJson(patch)));
  }

  // --- migration ---------------------------------------------------------------------------

  /**
   * A running VM: a VirtualMachineInstanceMigration of its VMI with {@code addedNodeSelector}
   * {@code kubernetes.io/hostname=<node>}; its name is the task. While one of the VMI's migrations
   * runs, that one is returned. A VM already on the node, or a stopped one (pinned to the node by
   * its template's {@code nodeSelector}, where its next start runs), gets {@code done/<vm>}, a task
   * that is SUCCEEDED.
   */
  @Override
  public Uni<String> migrate(String vmId, String providerRef, String targetHost) {
    if (targetHost == null || targetHost.isBlank()) {
      return Uni.createFrom().failure(ProviderException.invalidSpec("no target node"));
    }
    return existingVm(vmId, providerRef)
        .chain(
            vm ->
                blocking(
                    "migrate " + vmId,
                    () -> {
                      String name = KubeVirtMapper.name(vm);
                      if (client.nodes().withName(targetHost).get() == null) {
                        throw ProviderException.invalidSpec("no node " + targetHost);
                      }
                      GenericKubernetesResource vmi = vmiOf(name);
                      if (vmi == null || KubeVirtMapper.vmiPower(vmi) == PowerState.OFF) {
                        pinTemplate(name, targetHost);
                        return "done/" + name;
                      }
                      if (targetHost.equals(KubeVirtMapper.node(vm, vmi))) {
                        return "done/" + name;
                      }
                      for (GenericKubernetesResource m : migrationsApi().list().getItems()) {
                        Map<String, Object> t = Tree.of(m);
                        String phase = Tree.text(t, "status", "phase").orElse("");
                        if (name.equals(Tree.text(t, "spec", "vmiName").orElse(""))
                            && !"Succeeded".equals(phase)
                            && !"Failed".equals(phase)) {
                          return KubeVirtMapper.name(m);
                        }
                      }
                      GenericKubernetesResource m = new GenericKubernetesResource();
                      m.setApiVersion(KubeVirtApi.apiVersion(KubeVirtApi.MIGRATION));
                      m.setKind("VirtualMachineInstanceMigration");
                      m.setMetadata(
                          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                              .withGenerateName(
                                  name.length() > 50 ? name.substring(0, 50) + "-" : name + "-mig-")
                              .withNamespace(settings.namespace())
                              .withLabels(Map.of(VM_ID_LABEL, vmId))
                              .build());
                      m.setAdditionalProperty(
                          "spec",
                          Map.of(
                              "vmiName",
                              name,
                              "addedNodeSelector",
                              Map.of(HOSTNAME_LABEL, targetHost)));
                      GenericKubernetesResource made = migrationsApi().resource(m).create();
                      LOG.infof(
                          "migrating %s (vmId %s) to %s: %s",
                          name, vmId, targetHost, KubeVirtMapper.name(made));
                      return KubeVirtMapper.name(made);
                    }));
  }

  private void pinTemplate(String vmName, String node) {
    vms()
        .withName(vmName)
        .patch(
            new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
            Serialization.asJson(
                Map.of(
                    "spec",
                    Map.of(
                        "template",
                        Map.of("spec", Map.of("nodeSelector", Map.of(HOSTNAME_LABEL, node)))))));
  }

  /** Phases Succeeded / Failed end it; anything else runs (KubeVirt reports no percentage). */
  @Override
  public Uni<TaskState> migrationStatus(String taskRef) {
    if (taskRef != null && taskRef.startsWith("done/")) {
      return Uni.createFrom().item(TaskState.succeeded(taskRef));
    }
    return blocking(
        "migration " + taskRef,
        () -> {
          GenericKubernetesResource m = migrationsApi().withName(taskRef).get();
          if (m == null) {
            throw ProviderException.notFound("no migration " + taskRef);
          }
          Map<String, Object> t = Tree.of(m);
          String phase = Tree.text(t, "status", "phase").orElse("Pending");
          return switch (phase) {
            case "Succeeded" -> TaskState.succeeded(taskRef);
            case "Failed" ->
                TaskState.failed(
                    taskRef,
                    new ProviderException(
                        Tree.text(t, "status", "migrationState", "abortStatus").isPresent()
                            ? ErrorType.CONFLICT
                            : ErrorType.RETRYABLE,
                        "migration "
                            + taskRef
                            + " failed"
                            + Tree.text(t, "status", "migrationState", "failureReason")
                                .or(() -> KubeVirtMapper.failingCondition(t))
                                .map(r -> ": " + r)
                                .orElse("")));
            default -> TaskState.running(taskRef, null);
          };
        });
  }

  /** Deletes the migration object, which aborts a running migration (the VMI stays). */
  @Override
  public Uni<Void> cancelMigration(String taskRef) {
    return migrationStatus(taskRef)
        .chain(
            state ->
                state.isComplete()
                    ? done()
                    : blocking(
                            "cancel " + taskRef, () -> migrationsApi().withName(taskRef).delete())
                        .invoke(() -> LOG.infof("cancelled migration %s", taskRef))
                        .replaceWithVoid());
  }

  // --- console -----------------------------------------------------------------------------

  /** The VMI's VNC websocket: {@code wss://<api>/apis/subresources.kubevirt.io/v1/…/vnc}. */
  @Override
  public Uni<String> consoleUrl(String vmId, String providerRef) {
    return existingVm(vmId, providerRef)
        .chain(
            vm ->
                blocking(
                    "console of " + vmId,
                    () -> {
                      String name = KubeVirtMapper.name(vm);
                      GenericKubernetesResource vmi = vmiOf(name);
                      PowerState power = KubeVirtMapper.power(vm, vmi);
                      if (vmi == null || (power != PowerState.ON && power != PowerState.PAUSED)) {
                        throw ProviderException.conflict(
                            "VM " + name + " is not running: it has no console");
                      }
                      URI api = URI.create(settings.masterUrl());
                      String scheme = "https".equals(api.getScheme()) ? "wss" : "ws";
                      int port =
                          api.getPort() > 0 ? api.getPort() : ("wss".equals(scheme) ? 443 : 80);
                      return scheme
                          + "://"
                          + api.getHost()
                          + ":"
                          + port
                          + "/apis/subresources.kubevirt.io/v1/namespaces/"
                          + settings.namespace()
                          + "/virtualmachineinstances/"
                          + name
                          + "/vnc";
                    }));
  }

  // --- instancetypes -----------------------------------------------------------------------

  /**
   * The instancetypes a create can name: cluster-wide ones as {@code name}, namespaced ones as
   * {@code namespace/name}.
   */
  public Uni<List<String>> listInstancetypes() {
    return blocking(
        "instancetypes", () -> names(KubeVirtApi.CLUSTER_INSTANCETYPES, KubeVirtApi.INSTANCETYPES));
  }

  /** The preferences, named like {@link #listInstancetypes()}. */
  public Uni<List<String>> listPreferences() {
    return blocking(
        "preferences", () -> names(KubeVirtApi.CLUSTER_PREFERENCES, KubeVirtApi.PREFERENCES));
  }

  private List<String> names(ResourceDefinitionContext cluster, ResourceDefinitionContext local) {
    List<String> out = new ArrayList<>();
    client.genericKubernetesResources(cluster).list().getItems().stream()
        .map(KubeVirtMapper::name)
        .sorted()
        .forEach(out::add);
    client
        .genericKubernetesResources(local)
        .inNamespace(settings.namespace())
        .list()
        .getItems()
        .stream()
        .map(r -> settings.namespace() + "/" + KubeVirtMapper.name(r))
        .sorted()
        .forEach(out::add);
    return out;
  }

  // --- watch -------------------------------------------------------------------------------

  /** The managed VMs (with their VMIs) and the list's resourceVersion. */
  @Override
  public Uni<VmList> listWithVersion() {
    return blocking(
        "list with version",
        () -> {
          GenericKubernetesResourceList list = vms().withLabel(VM_ID_LABEL).list();
          Map<String, GenericKubernetesResource> vmis = vmisByName();
          List<VmDescription> items = new ArrayList<>();
          for (GenericKubernetesResource vm : list.getItems()) {
            items.add(
                KubeVirtMapper.describe(
                    KubeVirtMapper.vmId(vm), vm, vmis.get(KubeVirtMapper.name(vm))));
          }
          items.sort(Comparator.comparing(VmDescription::vmId));
          return new VmList(items, list.getMetadata().getResourceVersion());
        });
  }

  /**
   * A Kubernetes watch of the managed VMs from {@code resourceVersion}, with bookmarks (each a
   * {@link WatchEvent.Type#BOOKMARK}: no change, a newer version to resume from). HTTP 410 Gone —
   * the version is too old — and any other end of the watch the client cannot resume from itself is
   * GONE. A version that is not one the API issues (not a number) is GONE at once.
   */
  @Override
  public Multi<WatchEvent> watch(String resourceVersion) {
    return Multi.createFrom()
        .<WatchEvent>emitter(
            emitter -> {
              if (resourceVersion == null || !resourceVersion.matches("\\d{1,19}")) {
                emitter.emit(WatchEvent.gone());
                emitter.complete();
                return;
              }
              Watch watch;
              try {
                watch =
                    vms()
                        .withLabel(VM_ID_LABEL)
                        .watch(
                            new ListOptionsBuilder()
                                .withResourceVersion(resourceVersion)
                                .withAllowWatchBookmarks(true)
                                .build(),
                            new Watcher<>() {
                              @Override
                              public void eventReceived(
                                  Action action, GenericKubernetesResource vm) {
                                WatchEvent e = watchEvent(action, vm);
                                if (e != null) {
                                  emitter.emit(e);
                                }
                              }

                              @Override
                              public void onClose(WatcherException cause) {
                                LOG.debugf(
                                    "watch from %s ended: %s",
                                    resourceVersion, cause == null ? "closed" : cause.getMessage());
                                emitter.emit(WatchEvent.gone());
                                emitter.complete();
                              }

                              @Override
                              public void onClose() {
                                emitter.complete();
                              }
                            });
              } catch (RuntimeException e) {
                emitter.emit(WatchEvent.gone());
                emitter.complete();
                return;
              }
              emitter.onTermination(watch::close);
            },
            BackPressureStrategy.BUFFER)
        .runSubscriptionOn(executor);
  }

  static WatchEvent watchEvent(Watcher.Action action, GenericKubernetesResource vm) {
    String version =
        vm == null || vm.getMetadata() == null ? null : vm.getMetadata().getResourceVersion();
    if (action == Watcher.Action.BOOKMARK) {
      return version == null ? null : WatchEvent.bookmark(version);
    }
    String vmId = KubeVirtMapper.vmId(vm);
    if (vmId == null || version == null) {
      return null;
    }
    return switch (action) {
      case ADDED ->
          new WatchEvent(
              WatchEvent.Type.ADDED,
              vmId,
              KubeVirtMapper.power(vm, null),
              version,
              KubeVirtMapper.describe(vmId, vm, null));
      case MODIFIED ->
          new WatchEvent(
              WatchEvent.Type.MODIFIED,
              vmId,
              KubeVirtMapper.power(vm, null),
              version,
              KubeVirtMapper.describe(vmId, vm, null));
      case DELETED ->
          new WatchEvent(WatchEvent.Type.DELETED, vmId, PowerState.NOT_FOUND, version, null);
      default -> null;
    };
  }

  @Override
  public void close() {
    client.close();
  }

  /** The fabric8 client (for tests and tools). */
  KubernetesClient client() {
    return client;
  }

  // --- plumbing ----------------------------------------------------------------------------

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      api(ResourceDefinitionContext c) {
    return client.genericKubernetesResources(c).inNamespace(settings.namespace());
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      vms() {
    return api(KubeVirtApi.VM);
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      snapshotsApi() {
    return api(KubeVirtApi.VM_SNAPSHOT);
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      restoresApi() {
    return api(KubeVirtApi.VM_RESTORE);
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      clonesApi() {
    return api(KubeVirtApi.VM_CLONE);
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      migrationsApi() {
    return api(KubeVirtApi.MIGRATION);
  }

  private GenericKubernetesResource vmiOf(String name) {
    return api(KubeVirtApi.VMI).withName(name).get();
  }

  private Map<String, GenericKubernetesResource> vmisByName() {
    Map<String, GenericKubernetesResource> out = new LinkedHashMap<>();
    for (GenericKubernetesResource vmi :
        api(KubeVirtApi.VMI).withLabel(VM_ID_LABEL).list().getItems()) {
      out.put(KubeVirtMapper.name(vmi), vmi);
    }
    return out;
  }

  /**
   * The VM labelled {@code vmId}: by its name when given (and its label matches), else by label.
   */
  private Uni<Optional<GenericKubernetesResource>> findVm(String vmId, String providerRef) {
    return blocking(
        "find " + vmId,
        () -> {
          if (providerRef != null && !providerRef.isBlank()) {
            GenericKubernetesResource byName = vms().withName(providerRef).get();
            if (byName != null && vmId.equals(KubeVirtMapper.vmId(byName))) {
              return Optional.of(byName);
            }
          }
          if (!vmId.matches(LABEL_VALUE)) {
            return Optional.<GenericKubernetesResource>empty();
          }
          return vms().withLabel(VM_ID_LABEL, vmId).list().getItems().stream().findFirst();
        });
  }

  private Uni<GenericKubernetesResource> existingVm(String vmId, String providerRef) {
    return findVm(vmId, providerRef)
        .map(
            found ->
                found.orElseThrow(
                    () -> ProviderException.notFound("no VirtualMachine labelled " + vmId)));
  }

  /** {@code PUT /apis/subresources.kubevirt.io/v1/namespaces/<ns>/<kind>/<name>/<verb>}. */
  private Uni<Void> subresource(String kind, String name, String verb, String body) {
    String url =
        settings.masterUrl().replaceAll("/+$", "")
            + "/apis/subresources.kubevirt.io/v1/namespaces/"
            + settings.namespace()
            + "/"
            + kind
            + "/"
            + name
            + "/"
            + verb;
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .method("PUT", "application/json", body)
            .build();
    return Uni.createFrom()
        .completionStage(() -> client.getHttpClient().sendAsync(request, String.class))
        .map(
            (HttpResponse<String> response) -> {
              int code = response.code();
              if (code / 100 == 2) {
                return null;
              }
              String text = response.body() == null ? "" : response.body();
              String message = verb + " of " + name + ": HTTP " + code + " " + statusMessage(text);
              if (code == 409 && text.contains("already")) {
                return null; // "VM is already running" / "already stopped": the target state
              }
              throw new ProviderException(KubeVirtErrors.typeOf(code, null), message);
            })
        .onFailure()
        .transform(f -> KubeVirtErrors.of(verb + " of " + name, f))
        .replaceWithVoid();
  }

  private static String statusMessage(String body) {
    try {
      Object message = Serialization.unmarshal(body, Map.class).get("message");
      return message == null ? body : message.toString();
    } catch (RuntimeException e) {
      return body;
    }
  }

  private static String annotation(GenericKubernetesResource r, String key) {
    return Tree.text(Tree.of(r), "metadata", "annotations", key).orElse(null);
  }

  private static void requireLabelValue(String value, String what) {
    if (!value.matches(LABEL_VALUE)) {
      throw ProviderException.invalidSpec(
          what + " must be a Kubernetes label value (63 of [A-Za-z0-9_.-]): " + value);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a blocking fabric8 call on the executor; failures typed. */
  private <T> Uni<T> blocking(String what, Supplier<T> call) {
    return Uni.createFrom()
        .item(call)
        .runSubscriptionOn(executor)
        .onFailure()
        .transform(f -> KubeVirtErrors.of(what, f));
  }

  /**
   * Reads until {@code done} holds (it may throw a ProviderException to end the wait with it),
   * every pollInterval, for at most {@code limit}; then TIMEOUT.
   */
  private <T> Uni<T> until(String what, Supplier<T> read, Predicate<T> done, Duration limit) {
    return poll(what, read, done)
        .ifNoItem()
        .after(limit)
        .failWith(
            () -> new ProviderException(ErrorType.TIMEOUT, what + " not done within " + limit));
  }

  private <T> Uni<T> poll(String what, Supplier<T> read, Predicate<T> done) {
    return blocking(what, read)
        .chain(
            value ->
                done.test(value)
                    ? Uni.createFrom().item(value)
                    : Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(settings.timeouts().pollInterval())
                        .chain(() -> poll(what, read, done)));
  }

  private static Uni<Void> done() {
    return Uni.createFrom().voidItem();
  }

  private static Uni<Void> conflict(String message) {
    return Uni.createFrom().failure(ProviderException.conflict(message));
  }

  private static Predicate<Throwable> type(ErrorType type) {
    return f -> f instanceof ProviderException pe && pe.type() == type;
  }
}
