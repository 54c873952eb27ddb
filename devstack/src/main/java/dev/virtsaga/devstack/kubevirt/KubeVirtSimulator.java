package dev.virtsaga.devstack.kubevirt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A simulated Kubernetes API server with KubeVirt installed, and a simulated KubeVirt controller,
 * for the KubeVirt adapter's tests and the local stack (no cluster can run here).
 *
 * <p>The API is fabric8's {@link KubernetesMockServer} in CRUD mode on {@code 127.0.0.1}, over
 * plain HTTP (no TLS, no authentication: loopback only), extended to serve the KubeVirt resources
 * ({@link KubeVirtResource}) with discovery, virt-api's subresources (start, stop, restart,
 * migrate, pause, unpause, vnc), KubeVirt's admission rules, server-side dry run and watches with
 * resourceVersions. The controller runs in the same JVM and moves VMs, VMIs, migrations, snapshots,
 * restores and clones through their phases like virt-controller, only through the API (informers
 * and writes), one {@linkplain KubeVirtFaults#stepDelay() step delay} per step. {@link #faults()}
 * makes operations fail or stall and the API misbehave.
 *
 * <pre>{@code
 * try (KubeVirtSimulator sim = new KubeVirtSimulator().start()) {
 *   KubernetesClient client = sim.newClient();       // or any client on sim.masterUrl()
 *   client.genericKubernetesResources(KubeVirtResource.VIRTUAL_MACHINE.context())
 *       .inNamespace(sim.namespace()).resource(vm).create();
 *   sim.faults().stall(Operation.MIGRATION, "vm-1");
 * }
 * }</pre>
 *
 * Standalone: {@link #main(String[])}.
 */
public final class KubeVirtSimulator implements AutoCloseable {

  /** The standalone simulator's port unless {@value #PORT_ENV} or {@code --port} says otherwise. */
  public static final int DEFAULT_PORT = 18643;

  /** Environment variable with the standalone simulator's port. */
  public static final String PORT_ENV = "VIRTSAGA_KUBEVIRT_SIM_PORT";

  /** The namespace that always exists, and the one {@link #client()} uses. */
  public static final String DEFAULT_NAMESPACE = "default";

  /** The nodes unless {@link Builder#nodes} says otherwise. */
  public static final List<String> DEFAULT_NODES = List.of("node-a", "node-b", "node-c");

  private static final Logger MOCK_LOG = Logger.getLogger(MockWebServer.class.getName());
  private static final Logger LOG = Logger.getLogger(KubeVirtSimulator.class.getName());

  static {
    MOCK_LOG.setLevel(Level.WARNING); // it logs every request at INFO
  }

  private final List<String> nodes;
  private final List<String> namespaces;
  private final Discovery discovery;
  private final KubeVirtFaults faults;
  private final Duration restoreGracePeriod;
  private final Duration bookmarkInterval;
  private final int watchHistory;

  private SimApiDispatcher dispatcher;
  private MockWebServer webServer;
  private KubernetesMockServer server;
  private KubernetesClient inspector;
  private KubernetesClient controllerClient;
  private VirtController controller;
  private ScheduledExecutorService housekeeping;
  private int port;

  /** A simulator with the defaults: nodes node-a..c, every group served, 100 ms steps. */
  public KubeVirtSimulator() {
    this(builder());
  }

  private KubeVirtSimulator(Builder b) {
    this.nodes = List.copyOf(b.nodes);
    List<String> ns = new ArrayList<>();
    ns.add(DEFAULT_NAMESPACE);
    b.namespaces.stream().filter(n -> !ns.contains(n)).forEach(ns::add);
    this.namespaces = List.copyOf(ns);
    this.discovery = new Discovery(b.groups);
    this.faults = new KubeVirtFaults(b.stepDelay);
    this.restoreGracePeriod = b.restoreGracePeriod;
    this.bookmarkInterval = b.bookmarkInterval;
    this.watchHistory = b.watchHistory;
  }

  /** A builder for a simulator with other nodes, groups or timings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Starts on a free port. */
  public KubeVirtSimulator start() {
    return start(0);
  }

  /**
   * Starts the API server on {@code 127.0.0.1:port} (0: a free one), creates the namespaces, nodes
   * and CRDs, and starts the controller.
   */
  public synchronized KubeVirtSimulator start(int port) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    dispatcher = new SimApiDispatcher(discovery, faults, watchHistory, bookmarkInterval);
    webServer = new MockWebServer();
    server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()), webServer, new HashMap<>(), dispatcher, false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), port);
    } catch (IOException | RuntimeException e) {
      // e.g. the port is taken: leave the simulator as it was, not started
      dispatcher.watches().close();
      server.destroy();
      server = null;
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
    }
    this.port = server.getPort();
    seed();
    inspector = newClient(SimApiDispatcher.ROLE_INSPECTOR);
    controllerClient = newClient(SimApiDispatcher.ROLE_CONTROLLER);
    controller =
        new VirtController(new ApiOps(controllerClient), faults, discovery, restoreGracePeriod);
    controller.start();
    housekeeping =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kubevirt-sim-housekeeping");
              t.setDaemon(true);
              return t;
            });
    // The mock web server keeps every request it received: forget them now and then.
    housekeeping.scheduleWithFixedDelay(webServer::reset, 10, 10, TimeUnit.SECONDS);
    return this;
  }

  private void seed() {
    for (String ns : namespaces) {
      ObjectNode o = KubeJson.object();
      o.put("apiVersion", "v1");
      o.put("kind", "Namespace");
      o.putObject("metadata").put("name", ns);
      o.putObject("spec").putArray("finalizers").add("kubernetes");
      o.putObject("status").put("phase", "Active");
      dispatcher.create("/api/v1/namespaces", o);
    }
    int i = 0;
    for (String node : nodes) {
      dispatcher.create("/api/v1/nodes", node(node, ++i));
    }
    for (ObjectNode crd : discovery.crds()) {
      dispatcher.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    }
  }

  private static ObjectNode node(String name, int index) {
    ObjectNode n = KubeJson.object();
    n.put("apiVersion", "v1");
    n.put("kind", "Node");
    ObjectNode meta = n.putObject("metadata");
    meta.put("name", name);
    ObjectNode labels = meta.putObject("labels");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("kubevirt.io/schedulable", "true");
    labels.put("node-role.kubernetes.io/worker", "");
    n.putObject("spec");
    ObjectNode status = n.putObject("status");
    ObjectNode ready = status.putArray("conditions").addObject();
    ready.put("type", "Ready");
    ready.put("status", "True");
    ready.put("reason", "KubeletReady");
    ready.put("message", "kubelet is posting ready status");
    ready.put("lastTransitionTime", KubeJson.now());
    ObjectNode ip = status.putArray("addresses").addObject();
    ip.put("type", "InternalIP");
    ip.put("address", "192.0.2." + (10 + index)); // documentation range: never contacted
    ObjectNode host =
        ((com.fasterxml.jackson.databind.node.ArrayNode) status.get("addresses")).addObject();
    host.put("type", "Hostname");
    host.put("address", name);
    for (String f : List.of("capacity", "allocatable")) {
      ObjectNode r = status.putObject(f);
      r.put("cpu", "16");
      r.put("memory", "65536Mi");
      r.put("pods", "110");
      r.put("devices.kubevirt.io/kvm", "1k");
    }
    ObjectNode info = status.putObject("nodeInfo");
    info.put("kubeletVersion", Discovery.KUBERNETES_VERSION);
    info.put("osImage", "Debian GNU/Linux 12 (bookworm)");
    info.put("architecture", "amd64");
    info.put("operatingSystem", "linux");
    return n;
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
  }

  /** {@code http://127.0.0.1:<port>}, the API server's URL (plain HTTP, no credentials). */
  public String masterUrl() {
    requireStarted();
    return "http://127.0.0.1:" + port;
  }

  /** The port the API server listens on. */
  public int port() {
    requireStarted();
    return port;
  }

  /** {@value #DEFAULT_NAMESPACE}: the namespace to use. */
  public String namespace() {
    return DEFAULT_NAMESPACE;
  }

  /** The namespaces created at start ({@value #DEFAULT_NAMESPACE} first). */
  public List<String> namespaces() {
    return namespaces;
  }

  /** The names of the Node objects created at start. */
  public List<String> nodes() {
    return nodes;
  }

  /** The API groups served (those of {@link KubeVirtResource}, less the disabled ones). */
  public Set<String> servedGroups() {
    return discovery.servedGroups();
  }

  /** Fault injection and the step delay. */
  public KubeVirtFaults faults() {
    return faults;
  }

  /**
   * A client for inspecting (and arranging) objects, in namespace {@value #DEFAULT_NAMESPACE}:
   * closed with the simulator; API faults ({@code 503}, no answer, expired watches) do not affect
   * it; admission does.
   */
  public KubernetesClient client() {
    requireStarted();
    return inspector;
  }

  /**
   * The VirtualMachine carrying VirtSaga's label {@code virtsaga.dev/vm-id=<vmId>} in {@value
   * #DEFAULT_NAMESPACE}, as the API has it (read with {@link #client()}), or null.
   */
  public io.fabric8.kubernetes.api.model.GenericKubernetesResource managedVm(String vmId) {
    return client()
        .genericKubernetesResources(KubeVirtResource.VIRTUAL_MACHINE.context())
        .inNamespace(namespace())
        .withLabel("virtsaga.dev/vm-id", vmId)
        .list()
        .getItems()
        .stream()
        .findFirst()
        .orElse(null);
  }

  /**
   * A new client on {@link #masterUrl()} as any API client (subject to the API faults), in
   * namespace {@value #DEFAULT_NAMESPACE}, using fabric8's JDK HTTP client. The caller closes it.
   */
  public KubernetesClient newClient() {
    requireStarted();
    return newClient(null);
  }

  private KubernetesClient newClient(String role) {
    ConfigBuilder config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(masterUrl())
            .withNamespace(DEFAULT_NAMESPACE)
            .withHttp2Disable(true)
            .withConnectionTimeout(5_000)
            .withRequestTimeout(10_000)
            .withWatchReconnectInterval(200)
            .withRequestRetryBackoffLimit(0);
    if (role != null) {
      config.withCustomHeaders(Map.of(SimApiDispatcher.ROLE_HEADER, role));
    }
    return new KubernetesClientBuilder()
        .withConfig(config.build())
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  /** A kubeconfig (YAML) for the simulator: cluster, context and an unused user. */
  public String kubeconfig() {
    return "apiVersion: v1\n"
        + "kind: Config\n"
        + "clusters:\n"
        + "- name: kubevirt-simulator\n"
        + "  cluster:\n"
        + "    server: "
        + masterUrl()
        + "\n"
        + "contexts:\n"
        + "- name: kubevirt-simulator\n"
        + "  context:\n"
        + "    cluster: kubevirt-simulator\n"
        + "    namespace: "
        + DEFAULT_NAMESPACE
        + "\n"
        + "    user: simulator\n"
        + "current-context: kubevirt-simulator\n"
        + "users:\n"
        + "- name: simulator\n"
        + "  user:\n"
        + "    token: simulator\n";
  }

  /**
   * Forgets the watch history, like an etcd compaction: a watch from any resourceVersion listed
   * before now gets {@code ERROR} 410 Expired (a fresh list gives a usable one).
   */
  public void compactWatchHistory() {
    requireStarted();
    dispatcher.watches().compact();
  }

  /** How many watches are open (clients' and the controller's). */
  public int openWatchCount() {
    requireStarted();
    return dispatcher.watches().openCount();
  }

  /** Stops the controller and the API server. */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    if (housekeeping != null) {
      housekeeping.shutdownNow();
    }
    if (controller != null) {
      controller.close();
    }
    if (controllerClient != null) {
      controllerClient.close();
    }
    if (inspector != null) {
      inspector.close();
    }
    dispatcher.watches().close();
    server.destroy();
    server = null;
  }

  /** Settings of a {@link KubeVirtSimulator}. */
  public static final class Builder {
    private final List<String> nodes = new ArrayList<>(DEFAULT_NODES);
    private final List<String> namespaces = new ArrayList<>();
    private final Set<String> groups =
        new LinkedHashSet<>(
            List.of(
                KubeVirtResource.KUBEVIRT,
                KubeVirtResource.SNAPSHOT,
                KubeVirtResource.CLONE,
                KubeVirtResource.INSTANCETYPE));
    private Duration stepDelay = Duration.ofMillis(100);
    private Duration restoreGracePeriod = Duration.ofMinutes(5);
    private Duration bookmarkInterval = Duration.ofSeconds(5);
    private int watchHistory = 10_000;

    private Builder() {}

    /** The Node objects to create (default node-a, node-b, node-c). */
    public Builder nodes(String... names) {
      nodes.clear();
      nodes.addAll(List.of(names));
      return this;
    }

    /** Namespaces to create besides {@value #DEFAULT_NAMESPACE}. */
    public Builder namespaces(String... names) {
      namespaces.addAll(List.of(names));
      return this;
    }

    /**
     * Does not serve {@code group} (e.g. {@link KubeVirtResource#CLONE}): no discovery entry, no
     * CRD, 404 for its URLs — a cluster with an older or partial KubeVirt. Without {@link
     * KubeVirtResource#KUBEVIRT} there is no subresources API either.
     */
    public Builder withoutGroup(String group) {
      if (!groups.remove(group)) {
        throw new IllegalArgumentException("not a served group: " + group);
      }
      return this;
    }

    /** How long each controller step takes (default 100 ms); changeable later in faults(). */
    public Builder stepDelay(Duration delay) {
      this.stepDelay = delay;
      return this;
    }

    /**
     * How long a restore waits for a running target to stop before failing (default 5 minutes,
     * KubeVirt's {@code WaitGracePeriod}).
     */
    public Builder restoreGracePeriod(Duration period) {
      this.restoreGracePeriod = period;
      return this;
    }

    /** How often watches that asked for bookmarks get one (default 5 s). */
    public Builder bookmarkInterval(Duration interval) {
      this.bookmarkInterval = interval;
      return this;
    }

    /** How many changes the watch history keeps (default 10 000); older versions get 410. */
    public Builder watchHistory(int changes) {
      this.watchHistory = changes;
      return this;
    }

    public KubeVirtSimulator build() {
      return new KubeVirtSimulator(this);
    }
  }

  /**
   * Runs the simulator until SIGTERM / Ctrl-C. Options: {@code --port N} (default {@value
   * #PORT_ENV}, else {@value #DEFAULT_PORT}; 0 = any free port), {@code --step-delay-ms N}, {@code
   * --nodes a,b,c}, {@code --namespace NS} (repeatable), {@code --without-group G} (repeatable),
   * {@code --restore-grace-seconds N}, {@code --kubeconfig FILE} (where to write a kubeconfig;
   * default {@code $TMPDIR/virtsaga-kubevirt-sim-<port>.kubeconfig}).
   */
  public static void main(String[] args) throws Exception {
    Builder b = builder();
    String env = System.getenv(PORT_ENV);
    int port = env == null || env.isBlank() ? DEFAULT_PORT : Integer.parseInt(env.trim());
    Path kubeconfig = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--port" -> port = Integer.parseInt(require(a, v));
        case "--step-delay-ms" -> b.stepDelay(Duration.ofMillis(Long.parseLong(require(a, v))));
        case "--nodes" -> b.nodes(require(a, v).split(","));
        case "--namespace" -> b.namespaces(require(a, v));
        case "--without-group" -> b.withoutGroup(require(a, v));
        case "--restore-grace-seconds" ->
            b.restoreGracePeriod(Duration.ofSeconds(Long.parseLong(require(a, v))));
        case "--kubeconfig" -> kubeconfig = Path.of(require(a, v));
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
      i++;
    }
    KubeVirtSimulator sim = b.build().start(port);
    if (kubeconfig == null) {
      kubeconfig =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "virtsaga-kubevirt-sim-" + sim.port() + ".kubeconfig");
    }
    Files.writeString(kubeconfig, sim.kubeconfig());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  stopped.countDown();
                }));
    System.out.println(
        "KubeVirt simulator listening on "
            + sim.masterUrl()
            + " (plain HTTP, no authentication;"
            + " namespace "
            + DEFAULT_NAMESPACE
            + ", nodes "
            + String.join(",", sim.nodes())
            + ", groups "
            + String.join(",", sim.servedGroups())
            + ")");
    System.out.println("KUBEVIRT_SIM_URL=" + sim.masterUrl());
    System.out.println("KUBECONFIG=" + kubeconfig.toAbsolutePath());
    System.out.flush();
    stopped.await();
    LOG.fine("stopped");
  }

  private static String require(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
