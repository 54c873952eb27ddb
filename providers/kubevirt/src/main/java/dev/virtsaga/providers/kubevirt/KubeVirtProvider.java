package dev.virtsaga.providers.kubevirt;

import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.conflict;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.done;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.requireLabelValue;
import static dev.virtsaga.providers.kubevirt.KubeVirtCluster.type;
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
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
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
  private static final String LABEL_VALUE = KubeVirtCluster.LABEL_VALUE;
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

  private final KubeVirtCluster cluster;
  private final KubeVirtSnapshots snapshots;
  private final KubeVirtClones clones;
  private final KubeVirtMigrations migrations;
  private volatile KubeVirtApi.Served served;

  /**
   * @param executor where the blocking fabric8 calls run (a worker pool, never an event loop)
   */
  public KubeVirtProvider(KubeVirtSettings settings, Executor executor) {
    this.cluster = new KubeVirtCluster(settings, executor);
    this.snapshots = new KubeVirtSnapshots(cluster, this::power);
    this.clones = new KubeVirtClones(cluster);
    this.migrations = new KubeVirtMigrations(cluster);
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
    return cluster
        .blocking("API discovery", () -> KubeVirtApi.Served.of(cluster.client().getApiGroups()))
        .invoke(
            s -> {
              if (!s.serves(KubeVirtApi.KUBEVIRT)) {
                throw new ProviderException(
                    ErrorType.UNAVAILABLE,
                    "the cluster does not serve kubevirt.io/v1: KubeVirt is not installed");
              }
              if (served == null || !served.equals(s)) {
                LOG.infof(
                    "KubeVirt API at %s serves %s", cluster.settings().masterUrl(), s.served());
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
              return cluster.findVm(request.vmId(), null);
            })
        .chain(
            found -> {
              if (found.isPresent()) {
                return Uni.createFrom()
                    .item(new CreateResult(KubeVirtMapper.name(found.get()), null, false));
              }
              GenericKubernetesResource vm = vmObject(request);
              return cluster
                  .blocking(
                      "create " + request.vmId(),
                      () -> {
                        if (request.host() != null
                            && cluster.client().nodes().withName(request.host()).get() == null) {
                          throw ProviderException.invalidSpec("no node " + request.host());
                        }
                        cluster.vms().resource(vm).dryRun().create();
                        return cluster.vms().resource(vm).create();
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
                          cluster
                              .findVm(request.vmId(), null)
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
              return cluster.blocking(
                  "validate " + request.vmId(), () -> cluster.vms().resource(vm).dryRun().create());
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
            ? cluster.settings().defaultImage()
            : request.image().trim();
    Map<String, Object> templateSpec = new LinkedHashMap<>();
    templateSpec.put("domain", domain);
    templateSpec.put("networks", List.of(Map.of("name", "default", "pod", Map.of())));
    if (request.host() != null) {
      templateSpec.put("nodeSelector", Map.of(KubeVirtMapper.HOSTNAME_LABEL, request.host()));
    }
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
            .withNamespace(cluster.settings().namespace())
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
    return cluster
        .findVm(vmId, providerRef)
        .chain(
            found -> {
              if (found.isEmpty()) {
                return done();
              }
              String name = KubeVirtMapper.name(found.get());
              return cluster
                  .blocking("delete " + name, () -> cluster.vms().withName(name).delete())
                  .chain(
                      () ->
                          cluster.until(
                              "deletion of " + name,
                              () -> cluster.vms().withName(name).get(),
                              Objects::isNull,
                              cluster.settings().timeouts().actionComplete()))
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
    return cluster.existingVm(vmId, providerRef).chain(vm -> power(vm, op));
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
              : cluster
                  .subresource("virtualmachines", name, "start", "{}")
                  .chain(
                      () ->
                          awaitStatus(
                              name, "Running", cluster.settings().timeouts().instanceReady()));
      case OFF ->
          stopped
              ? done()
              : cluster
                  .subresource("virtualmachines", name, "stop", "{\"gracePeriod\":0}")
                  .chain(
                      () ->
                          awaitStatus(
                              name, "Stopped", cluster.settings().timeouts().actionComplete()));
      case SHUTDOWN_GRACEFUL ->
          stopped ? done() : cluster.subresource("virtualmachines", name, "stop", "{}");
      case REBOOT -> {
        if (!running) {
          yield conflict("reboot needs a running VM; " + name + " is " + status);
        }
        String before = vmiUid(name);
        yield cluster
            .subresource("virtualmachines", name, "restart", "{}")
            .chain(
                () ->
                    cluster.until(
                        "restart of " + name,
                        () -> cluster.vmiOf(name),
                        vmi ->
                            vmi != null
                                && !Objects.equals(uid(vmi), before)
                                && KubeVirtMapper.vmiPower(vmi) == PowerState.ON,
                        cluster.settings().timeouts().instanceReady()))
            .replaceWithVoid();
      }
      case SUSPEND ->
          paused
              ? done()
              : running
                  ? cluster
                      .subresource("virtualmachineinstances", name, "pause", "{}")
                      .chain(
                          () ->
                              awaitStatus(
                                  name, "Paused", cluster.settings().timeouts().actionComplete()))
                  : conflict("suspend needs a running VM; " + name + " is " + status);
      case RESUME ->
          running
              ? done()
              : paused
                  ? cluster
                      .subresource("virtualmachineinstances", name, "unpause", "{}")
                      .chain(
                          () ->
                              awaitStatus(
                                  name, "Running", cluster.settings().timeouts().actionComplete()))
                  : conflict("resume needs a paused VM; " + name + " is " + status);
    };
  }

  private String vmiUid(String name) {
    try {
      return uid(cluster.vmiOf(name));
    } catch (KubernetesClientException e) {
      return null;
    }
  }

  private static String uid(GenericKubernetesResource r) {
    return r == null || r.getMetadata() == null ? null : r.getMetadata().getUid();
  }

  /** Waits for a printableStatus; an error state on the way fails the wait with its cause. */
  private Uni<Void> awaitStatus(String name, String wanted, Duration limit) {
    return cluster
        .until(
            wanted + " of " + name,
            () -> cluster.vms().withName(name).get(),
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
    return cluster
        .findVm(vmId, providerRef)
        .chain(
            found ->
                found.isEmpty()
                    ? Uni.createFrom().item(VmDescription.absent(vmId))
                    : cluster.blocking(
                        "describe " + vmId,
                        () ->
                            KubeVirtMapper.describe(
                                vmId,
                                found.get(),
                                cluster.vmiOf(KubeVirtMapper.name(found.get())))));
  }

  /**
   * Kubernetes paging: {@code limit} and the API's {@code continue} token, in the API's order (by
   * name). An API server may ignore {@code limit} (the apiserver's contract allows it, and
   * fabric8's mock does): then the adapter pages itself by name, its token {@code after:<base64url
   * name>}.
   */
  @Override
  public Uni<Page<VmDescription>> list(String pageToken, int pageSize) {
    String after;
    try {
      Page.requireSize(pageSize);
      after =
          pageToken != null && pageToken.startsWith(AFTER)
              ? Page.keyOf(pageToken.substring(AFTER.length()))
              : null;
    } catch (ProviderException e) {
      return Uni.createFrom().failure(e);
    }
    String apiToken = after == null ? pageToken : null;
    return cluster.blocking(
        "list",
        () -> {
          GenericKubernetesResourceList answer =
              cluster
                  .vms()
                  .withLabel(VM_ID_LABEL)
                  .list(
                      new ListOptionsBuilder()
                          .withLimit((long) pageSize)
                          .withContinue(apiToken)
                          .build());
          List<GenericKubernetesResource> vms = new ArrayList<>(answer.getItems());
          String next = answer.getMetadata() == null ? null : answer.getMetadata().getContinue();
          if (after != null || vms.size() > pageSize) {
            // the server did not page: page by name here
            vms.sort(Comparator.comparing(KubeVirtMapper::name));
            vms.removeIf(vm -> after != null && KubeVirtMapper.name(vm).compareTo(after) <= 0);
            boolean more = vms.size() > pageSize;
            vms = new ArrayList<>(vms.subList(0, Math.min(pageSize, vms.size())));
            next =
                more ? AFTER + Page.tokenAfter(KubeVirtMapper.name(vms.get(vms.size() - 1))) : null;
          }
          Map<String, GenericKubernetesResource> vmis = cluster.vmisByName();
          List<VmDescription> items = new ArrayList<>();
          for (GenericKubernetesResource vm : vms) {
            items.add(
                KubeVirtMapper.describe(
                    KubeVirtMapper.vmId(vm), vm, vmis.get(KubeVirtMapper.name(vm))));
          }
          return new Page<>(items, next == null || next.isBlank() ? null : next);
        });
  }

  private static final String AFTER = "after:";

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
              return cluster.existingVm(vmId, providerRef);
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
              String patch =
                  Serialization.asJson(
                      Map.of("spec", Map.of("template", Map.of("spec", Map.of("domain", domain)))));
              return cluster.blocking(
                  "reconfigure " + name,
                  () -> {
                    cluster
                        .vms()
                        .withName(name)
                        .patch(
                            new PatchContext.Builder().withPatchType(PatchType.JSON_MERGE).build(),
                            patch);
                    // a running VMI keeps its sizes: KubeVirt applies them at the next start
                    boolean running = cluster.vmiOf(name) != null;
                    return new ReconfigureResult(true, running, null);
                  });
            });
  }

  // --- snapshots (KubeVirtSnapshots) ------------------------------------------------------

  @Override
  public Uni<SnapshotInfo> createSnapshot(
      String vmId, String providerRef, String name, String description) {
    return snapshots.createSnapshot(vmId, providerRef, name, description);
  }

  @Override
  public Uni<List<SnapshotInfo>> listSnapshots(String vmId, String providerRef) {
    return snapshots.listSnapshots(vmId, providerRef);
  }

  @Override
  public Uni<Void> deleteSnapshot(String vmId, String providerRef, String snapshotId) {
    return snapshots.deleteSnapshot(vmId, providerRef, snapshotId);
  }

  @Override
  public Uni<Void> revertSnapshot(String vmId, String providerRef, String snapshotId) {
    return snapshots.revertSnapshot(vmId, providerRef, snapshotId);
  }

  // --- clone (KubeVirtClones) -------------------------------------------------------------

  @Override
  public Uni<CreateResult> cloneVm(CloneRequest request) {
    return clones.cloneVm(request);
  }

  // --- migration (KubeVirtMigrations) -----------------------------------------------------

  @Override
  public Uni<String> migrate(String vmId, String providerRef, String targetHost) {
    return migrations.migrate(vmId, providerRef, targetHost);
  }

  @Override
  public Uni<TaskState> migrationStatus(String taskRef) {
    return migrations.migrationStatus(taskRef);
  }

  @Override
  public Uni<Void> cancelMigration(String taskRef) {
    return migrations.cancelMigration(taskRef);
  }

  // --- console -----------------------------------------------------------------------------

  /** The VMI's VNC websocket: {@code wss://<api>/apis/subresources.kubevirt.io/v1/…/vnc}. */
  @Override
  public Uni<String> consoleUrl(String vmId, String providerRef) {
    return cluster
        .existingVm(vmId, providerRef)
        .chain(
            vm ->
                cluster.blocking(
                    "console of " + vmId,
                    () -> {
                      String name = KubeVirtMapper.name(vm);
                      GenericKubernetesResource vmi = cluster.vmiOf(name);
                      PowerState power = KubeVirtMapper.power(vm, vmi);
                      if (vmi == null || (power != PowerState.ON && power != PowerState.PAUSED)) {
                        throw ProviderException.conflict(
                            "VM " + name + " is not running: it has no console");
                      }
                      URI api = URI.create(cluster.settings().masterUrl());
                      String scheme = "https".equals(api.getScheme()) ? "wss" : "ws";
                      int port =
                          api.getPort() > 0 ? api.getPort() : ("wss".equals(scheme) ? 443 : 80);
                      return scheme
                          + "://"
                          + api.getHost()
                          + ":"
                          + port
                          + "/apis/subresources.kubevirt.io/v1/namespaces/"
                          + cluster.settings().namespace()
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
    return cluster.blocking(
        "instancetypes", () -> names(KubeVirtApi.CLUSTER_INSTANCETYPES, KubeVirtApi.INSTANCETYPES));
  }

  /** The preferences, named like {@link #listInstancetypes()}. */
  public Uni<List<String>> listPreferences() {
    return cluster.blocking(
        "preferences", () -> names(KubeVirtApi.CLUSTER_PREFERENCES, KubeVirtApi.PREFERENCES));
  }

  private List<String> names(
      ResourceDefinitionContext clusterWide, ResourceDefinitionContext local) {
    List<String> out = new ArrayList<>();
    cluster.client().genericKubernetesResources(clusterWide).list().getItems().stream()
        .map(KubeVirtMapper::name)
        .sorted()
        .forEach(out::add);
    cluster
        .client()
        .genericKubernetesResources(local)
        .inNamespace(cluster.settings().namespace())
        .list()
        .getItems()
        .stream()
        .map(r -> cluster.settings().namespace() + "/" + KubeVirtMapper.name(r))
        .sorted()
        .forEach(out::add);
    return out;
  }

  // --- watch -------------------------------------------------------------------------------

  /** The managed VMs (with their VMIs) and the list's resourceVersion. */
  @Override
  public Uni<VmList> listWithVersion() {
    return cluster.blocking(
        "list with version",
        () -> {
          GenericKubernetesResourceList list = cluster.vms().withLabel(VM_ID_LABEL).list();
          Map<String, GenericKubernetesResource> vmis = cluster.vmisByName();
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
                    cluster
                        .vms()
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
        .runSubscriptionOn(cluster.executor());
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
    cluster.client().close();
  }

  /** The fabric8 client (for tests and tools). */
  KubernetesClient client() {
    return cluster.client();
  }
}
