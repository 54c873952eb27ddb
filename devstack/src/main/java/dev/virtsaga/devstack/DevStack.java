package dev.virtsaga.devstack;

import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.devstack.virtfusion.VirtFusionSimulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The launcher behind {@code bin/stack}: the whole system on one machine, on its embedded default.
 * Starts Kafka (data in {@code .devstack/kafka}), makes sure PostgreSQL runs with the services'
 * databases, starts the VirtFusion simulator, vcsim (the simulated vCenter) and the KubeVirt
 * simulator, then orchestrator, worker-libvirt, worker-virtfusion, worker-vsphere, worker-kubevirt
 * and api-gateway from their packaged jars, waits until each is ready, and on Ctrl-C stops the
 * services, the simulators, then Kafka.
 *
 * <p>Arguments: {@code --clean} wipes Kafka's data and recreates the databases first; {@code
 * --echo} copies the services' output to the console ({@code [name] ...}). Environment: {@value
 * #KAFKA_PORT_ENV} (default 19092; the controller takes the next port), {@value #LIBVIRT_URI_ENV}
 * (default {@code test:///default}), the services' ports ({@value #GATEWAY_PORT_ENV}, …), {@value
 * #VIRTFUSION_SIM_PORT_ENV} (default 18443) and {@value #VCSIM_PORT_ENV} (default {@value
 * #DEFAULT_VCSIM_PORT}). The repository root is the system property {@code virtsaga.home}, else
 * found upwards from the working directory.
 */
public final class DevStack {

  public static final String KAFKA_PORT_ENV = "VIRTSAGA_KAFKA_PORT";
  public static final String LIBVIRT_URI_ENV = "VIRTSAGA_LIBVIRT_URI";
  public static final int DEFAULT_KAFKA_PORT = 19092;
  public static final String DEFAULT_LIBVIRT_URI = "test:///default";

  public static final String ORCHESTRATOR_DB = "virtsaga_orchestrator";
  public static final String GATEWAY_DB = "virtsaga_gateway";
  public static final String GATEWAY_PORT_ENV = "VIRTSAGA_GATEWAY_PORT";
  public static final String ORCHESTRATOR_PORT_ENV = "VIRTSAGA_ORCHESTRATOR_PORT";
  public static final String WORKER_LIBVIRT_PORT_ENV = "VIRTSAGA_WORKER_LIBVIRT_PORT";
  public static final int DEFAULT_GATEWAY_PORT = 8080;
  public static final int DEFAULT_ORCHESTRATOR_PORT = 8081;
  public static final int DEFAULT_WORKER_LIBVIRT_PORT = 8082;
  public static final String WORKER_VIRTFUSION_PORT_ENV = "VIRTSAGA_WORKER_VIRTFUSION_PORT";
  public static final int DEFAULT_WORKER_VIRTFUSION_PORT = 8083;
  public static final String VIRTFUSION_SIM_PORT_ENV = "VIRTSAGA_VIRTFUSION_SIMULATOR_PORT";
  public static final String WORKER_VSPHERE_PORT_ENV = "VIRTSAGA_WORKER_VSPHERE_PORT";
  public static final int DEFAULT_WORKER_VSPHERE_PORT = 8084;
  public static final String VCSIM_PORT_ENV = "VIRTSAGA_VCSIM_PORT";
  public static final int DEFAULT_VCSIM_PORT = 18989;

  public static final String WORKER_KUBEVIRT_PORT_ENV = "VIRTSAGA_WORKER_KUBEVIRT_PORT";
  public static final int DEFAULT_WORKER_KUBEVIRT_PORT = 8085;

  /** The ESXi hosts of vcsim's default cluster {@code DC0_C0}, all reached by worker-vsphere. */
  public static final String VSPHERE_HOSTS = "DC0_C0_H0,DC0_C0_H1,DC0_C0_H2";

  private final Path repo;
  private final boolean clean;
  private final boolean echo;
  private final int kafkaPort = intEnv(KAFKA_PORT_ENV, DEFAULT_KAFKA_PORT);
  private final int gatewayPort = intEnv(GATEWAY_PORT_ENV, DEFAULT_GATEWAY_PORT);
  private final int orchestratorPort = intEnv(ORCHESTRATOR_PORT_ENV, DEFAULT_ORCHESTRATOR_PORT);
  private final int workerLibvirtPort =
      intEnv(WORKER_LIBVIRT_PORT_ENV, DEFAULT_WORKER_LIBVIRT_PORT);
  private final int workerVirtFusionPort =
      intEnv(WORKER_VIRTFUSION_PORT_ENV, DEFAULT_WORKER_VIRTFUSION_PORT);
  private final int virtFusionPort =
      intEnv(VIRTFUSION_SIM_PORT_ENV, VirtFusionSimulator.DEFAULT_PORT);
  private volatile VirtFusionSimulator virtFusion;
  private final int workerVSpherePort =
      intEnv(WORKER_VSPHERE_PORT_ENV, DEFAULT_WORKER_VSPHERE_PORT);
  private final int vcsimPort = intEnv(VCSIM_PORT_ENV, DEFAULT_VCSIM_PORT);
  private volatile Vcsim vcsim;
  private final int workerKubeVirtPort =
      intEnv(WORKER_KUBEVIRT_PORT_ENV, DEFAULT_WORKER_KUBEVIRT_PORT);
  private final int kubeVirtPort =
      intEnv(KubeVirtSimulator.PORT_ENV, KubeVirtSimulator.DEFAULT_PORT);
  private volatile KubeVirtSimulator kubeVirt;
  private final String libvirtUri =
      System.getenv().getOrDefault(LIBVIRT_URI_ENV, DEFAULT_LIBVIRT_URI);
  private final List<ServiceProcess> services = new ArrayList<>();
  private volatile KafkaBroker kafka;
  private boolean stopped;

  private DevStack(Path repo, boolean clean, boolean echo) {
    this.repo = repo;
    this.clean = clean;
    this.echo = echo;
  }

  public static void main(String[] args) throws InterruptedException {
    boolean clean = false;
    boolean echo = false;
    for (String arg : args) {
      switch (arg) {
        case "--clean" -> clean = true;
        case "--echo" -> echo = true;
        default -> {
          System.err.println("usage: DevStack [--clean] [--echo]");
          System.exit(2);
        }
      }
    }
    DevStack stack;
    try {
      stack = new DevStack(repoRoot(), clean, echo);
    } catch (RuntimeException e) {
      System.err.println("devstack: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "devstack-shutdown"));
    try {
      stack.start();
    } catch (RuntimeException e) {
      System.err.println("\ndevstack: start failed: " + e.getMessage());
      System.exit(1); // the shutdown hook stops whatever did start
    }
    stack.printBanner();
    new CountDownLatch(1).await(); // until Ctrl-C (SIGINT) or SIGTERM runs the shutdown hook
  }

  private void start() {
    Path state = repo.resolve(".devstack");
    Path logs = state.resolve("logs");

    Map<String, Path> jars = new LinkedHashMap<>();
    for (String module :
        List.of(
            "orchestrator",
            "worker-libvirt",
            "worker-virtfusion",
            "worker-vsphere",
            "worker-kubevirt",
            "api-gateway")) {
      jars.put(module, ServiceProcess.quarkusRunJar(repo, module));
    }
    List<String> missing =
        jars.values().stream().filter(j -> !Files.isRegularFile(j)).map(Path::toString).toList();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "not built yet: " + missing + "; run ./mvnw -DskipTests install (bin/stack does)");
    }
    for (int port :
        List.of(
            gatewayPort,
            orchestratorPort,
            workerLibvirtPort,
            workerVirtFusionPort,
            virtFusionPort,
            workerVSpherePort,
            vcsimPort,
            workerKubeVirtPort,
            kubeVirtPort,
            kafkaPort,
            kafkaPort + 1)) {
      if (!Ports.isFree(port)) {
        throw new IllegalStateException(
            "port "
                + port
                + " is in use: is another devstack already running? (ports are set by "
                + String.join(", ", KAFKA_PORT_ENV, GATEWAY_PORT_ENV, ORCHESTRATOR_PORT_ENV)
                + ", "
                + WORKER_LIBVIRT_PORT_ENV
                + ", "
                + WORKER_VIRTFUSION_PORT_ENV
                + ", "
                + VIRTFUSION_SIM_PORT_ENV
                + ", "
                + WORKER_VSPHERE_PORT_ENV
                + ", "
                + VCSIM_PORT_ENV
                + ", "
                + WORKER_KUBEVIRT_PORT_ENV
                + ", "
                + KubeVirtSimulator.PORT_ENV
                + ")");
      }
    }

    if (clean) {
      say("--clean: wiping " + state.resolve("kafka") + " and the databases");
      Exec.deleteTree(state.resolve("kafka"));
    }
    say("starting Kafka on 127.0.0.1:" + kafkaPort + " ...");
    kafka = KafkaBroker.start(state.resolve("kafka"), kafkaPort, kafkaPort + 1);

    say("making sure PostgreSQL runs ...");
    Postgres.ensureRunning();
    if (clean) {
      Postgres.dropDatabase(ORCHESTRATOR_DB);
      Postgres.dropDatabase(GATEWAY_DB);
    }
    Postgres.Database orchestratorDb = Postgres.createDatabase(ORCHESTRATOR_DB);
    Postgres.Database gatewayDb = Postgres.createDatabase(GATEWAY_DB);

    launch(
        ServiceProcess.quarkusApp("orchestrator", jars.get("orchestrator"))
            .httpPort(orchestratorPort)
            .kafka(kafka.bootstrapServers())
            .database(orchestratorDb),
        logs);
    launch(
        ServiceProcess.quarkusApp("worker-libvirt", jars.get("worker-libvirt"))
            .httpPort(workerLibvirtPort)
            .kafka(kafka.bootstrapServers())
            .env(LIBVIRT_URI_ENV, libvirtUri),
        logs);
    // VirtFusion cannot run here: its simulator (the real API, in this JVM) stands in for it
    virtFusion = new VirtFusionSimulator();
    virtFusion.start(virtFusionPort);
    virtFusion.addUserWithRelStr("default");
    launch(
        ServiceProcess.quarkusApp("worker-virtfusion", jars.get("worker-virtfusion"))
            .httpPort(workerVirtFusionPort)
            .kafka(kafka.bootstrapServers())
            .env(
                Map.of(
                    "VIRTSAGA_VIRTFUSION_BASE_URL",
                    virtFusion.baseUrl(),
                    "VIRTSAGA_VIRTFUSION_TOKEN",
                    virtFusion.token(),
                    "VIRTSAGA_VIRTFUSION_DEFAULTS_PACKAGE_ID",
                    "1",
                    // no watch API: the watcher finds others' changes by the full scan; the
                    // simulator is local, so scan every second (servers in transition: 500 ms)
                    "VIRTSAGA_VIRTFUSION_WATCH_FAST_INTERVAL",
                    "500ms",
                    "VIRTSAGA_VIRTFUSION_WATCH_SLOW_INTERVAL",
                    "1s")),
        logs);
    // a vCenter cannot run here either: vcsim (govmomi's simulator, a child process) stands in
    say(
        "starting vcsim on 127.0.0.1:"
            + vcsimPort
            + " (built with Go on first use; log "
            + repo.relativize(logs.resolve("vcsim.log"))
            + ") ...");
    synchronized (this) {
      if (stopped) {
        throw new IllegalStateException("interrupted by shutdown");
      }
      vcsim =
          new Vcsim(
              VcsimInventory.defaults(),
              Vcsim.DEFAULT_USERNAME,
              Vcsim.DEFAULT_PASSWORD,
              logs.resolve("vcsim.log"));
    }
    vcsim.start(vcsimPort);
    launch(
        ServiceProcess.quarkusApp("worker-vsphere", jars.get("worker-vsphere"))
            .httpPort(workerVSpherePort)
            .kafka(kafka.bootstrapServers())
            .env(vSphereEnv(vcsim)),
        logs);
    // nor a KubeVirt cluster: a Kubernetes API with a simulated virt-controller, in this JVM
    say("starting the KubeVirt simulator on 127.0.0.1:" + kubeVirtPort + " ...");
    synchronized (this) {
      if (stopped) {
        throw new IllegalStateException("interrupted by shutdown");
      }
      kubeVirt = new KubeVirtSimulator();
    }
    kubeVirt.start(kubeVirtPort);
    launch(
        ServiceProcess.quarkusApp("worker-kubevirt", jars.get("worker-kubevirt"))
            .httpPort(workerKubeVirtPort)
            .kafka(kafka.bootstrapServers())
            .env(kubeVirtEnv(kubeVirt)),
        logs);
    launch(
        ServiceProcess.quarkusApp("api-gateway", jars.get("api-gateway"))
            .httpPort(gatewayPort)
            .kafka(kafka.bootstrapServers())
            .database(gatewayDb)
            .env("VIRTSAGA_GATEWAY_ENABLED_PROVIDERS", ENABLED_PROVIDERS),
        logs);
  }

  /** Every provider the stack runs a worker for. */
  public static final String ENABLED_PROVIDERS = "libvirt,virtfusion,vsphere,kubevirt";

  /** worker-kubevirt's environment for the simulator (plain HTTP on loopback, its nodes). */
  public static Map<String, String> kubeVirtEnv(KubeVirtSimulator sim) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("VIRTSAGA_KUBEVIRT_MASTER_URL", sim.masterUrl());
    env.put("VIRTSAGA_KUBEVIRT_NAMESPACE", sim.namespace());
    env.put("VIRTSAGA_KUBEVIRT_INSECURE_LOOPBACK", "true");
    env.put("VIRTSAGA_KUBEVIRT_HOSTS", String.join(",", sim.nodes()));
    return env;
  }

  /** worker-vsphere's environment for vcsim's default inventory (its simulator credentials). */
  public static Map<String, String> vSphereEnv(Vcsim vcsim) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("VIRTSAGA_VSPHERE_SDK_URL", vcsim.sdkUrl().toString());
    env.put("VIRTSAGA_VSPHERE_USERNAME", vcsim.username());
    env.put("VIRTSAGA_VSPHERE_PASSWORD", vcsim.password());
    // vcsim's certificate is self-signed; it listens on 127.0.0.1 only
    env.put("VIRTSAGA_VSPHERE_TLS_INSECURE_LOOPBACK", "true");
    env.put("VIRTSAGA_VSPHERE_DATACENTER", "DC0");
    env.put("VIRTSAGA_VSPHERE_CLUSTER", "DC0_C0");
    env.put("VIRTSAGA_VSPHERE_DATASTORE", "LocalDS_0");
    env.put("VIRTSAGA_VSPHERE_DEFAULT_TEMPLATE", vcsim.templatePath());
    env.put("VIRTSAGA_VSPHERE_HOSTS", VSPHERE_HOSTS);
    return env;
  }

  private void launch(ServiceProcess.Builder builder, Path logs) {
    ServiceProcess service = builder.echo(echo).workingDir(repo).build();
    service = builder.logFile(logs.resolve(service.name() + ".log")).build();
    say("starting " + service.name() + " (log " + repo.relativize(service.logFile()) + ") ...");
    synchronized (this) {
      if (stopped) {
        throw new IllegalStateException("interrupted by shutdown");
      }
      services.add(service);
      service.start();
    }
    service.awaitReady();
    ServiceProcess started = service;
    started
        .onExit()
        .thenRun(
            () -> {
              synchronized (this) {
                if (!stopped) {
                  say(
                      started.name()
                          + " exited unexpectedly; last lines of "
                          + started.logFile()
                          + ":\n"
                          + started.logTail(20));
                }
              }
            });
  }

  /** Stops the services (in reverse order), then Kafka. Idempotent. */
  private void stop() {
    List<ServiceProcess> toStop;
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
      toStop = new ArrayList<>(services);
    }
    if (toStop.isEmpty() && kafka == null) {
      return;
    }
    say("stopping ...");
    for (int i = toStop.size() - 1; i >= 0; i--) {
      ServiceProcess service = toStop.get(i);
      if (service.isAlive()) {
        say("stopping " + service.name());
        service.stop();
      }
    }
    if (virtFusion != null) {
      virtFusion.close();
    }
    KubeVirtSimulator k = kubeVirt;
    if (k != null) {
      say("stopping the KubeVirt simulator");
      k.close();
    }
    Vcsim sim = vcsim;
    if (sim != null && sim.isAlive()) {
      say("stopping vcsim");
      sim.stop();
    }
    if (kafka != null) {
      say("stopping Kafka");
      kafka.stop();
    }
    say("stopped");
  }

  private void printBanner() {
    String banner =
        String.join(
            "\n",
            "",
            "VirtSaga devstack is up",
            "  api-gateway     http://127.0.0.1:" + gatewayPort + "   (OpenAPI: /q/openapi)",
            "  orchestrator    http://127.0.0.1:" + orchestratorPort,
            "  worker-libvirt  http://127.0.0.1:" + workerLibvirtPort + "   libvirt " + libvirtUri,
            "  worker-virtfusion http://127.0.0.1:"
                + workerVirtFusionPort
                + "   VirtFusion simulator "
                + virtFusion.baseUrl()
                + ", tenant 'default' registered",
            "  worker-vsphere  http://127.0.0.1:"
                + workerVSpherePort
                + "   vcsim "
                + vcsim.sdkUrl()
                + " (user "
                + vcsim.username()
                + ", self-signed TLS), hosts "
                + VSPHERE_HOSTS
                + ", template "
                + vcsim.templatePath(),
            "  worker-kubevirt http://127.0.0.1:"
                + workerKubeVirtPort
                + "   KubeVirt simulator "
                + kubeVirt.masterUrl()
                + " (namespace "
                + kubeVirt.namespace()
                + ", nodes "
                + String.join(",", kubeVirt.nodes())
                + ")",
            "  Kafka           " + kafka.bootstrapServers(),
            "  PostgreSQL      "
                + Postgres.HOST
                + ":"
                + Postgres.port()
                + "   user "
                + Postgres.USER
                + ", databases "
                + ORCHESTRATOR_DB
                + ", "
                + GATEWAY_DB,
            "  logs            " + repo.relativize(repo.resolve(".devstack/logs")) + "/",
            "Press Ctrl-C to stop.",
            "");
    System.out.println(banner);
  }

  private static void say(String message) {
    System.out.println("devstack: " + message);
  }

  private static int intEnv(String name, int defaultValue) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a port number, got: " + value, e);
    }
  }

  /** {@code -Dvirtsaga.home}, else the nearest directory upwards with mvnw and devstack/. */
  static Path repoRoot() {
    String home = System.getProperty("virtsaga.home");
    if (home != null && !home.isBlank()) {
      return Path.of(home).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("devstack"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "cannot find the VirtSaga repository: run from inside it or pass -Dvirtsaga.home=<dir>");
  }
}
