package dev.virtsaga.e2e;

import dev.virtsaga.devstack.DevStack;
import dev.virtsaga.devstack.Ports;
import dev.virtsaga.devstack.Postgres;
import dev.virtsaga.devstack.ServiceProcess;
import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.devstack.test.KafkaTestResource;
import dev.virtsaga.devstack.test.PostgresTestResource;
import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import dev.virtsaga.devstack.virtfusion.VirtFusionSimulator;
import dev.virtsaga.providers.vsphere.VSphereProvider;
import dev.virtsaga.providers.vsphere.VSphereSettings;
import dev.virtsaga.providers.vsphere.VimSettings;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The whole stack for end-to-end tests, started once per test JVM: the real Kafka broker, two fresh
 * PostgreSQL databases, and the packaged orchestrator, worker-libvirt and api-gateway as child
 * processes. The worker talks to the libvirtd test driver ({@code test+unix:///default}), which the
 * tests open too, to see the domains it makes.
 */
final class Stack {
  static final String LIBVIRT_URI =
      System.getProperty("virtsaga.libvirt.uri", "test+unix:///default");
  private static Stack instance;

  final String kafka;
  final Postgres.Database orchestratorDb;
  final Postgres.Database gatewayDb;
  private final Path repo;
  private final int orchestratorPort = Ports.free();
  volatile ServiceProcess orchestrator;
  final ServiceProcess worker;
  final ServiceProcess gateway;

  /** The VirtFusion simulator (in this JVM) and the worker that drives it. */
  final VirtFusionSimulator virtfusion;

  final ServiceProcess virtfusionWorker;

  /**
   * vcsim (a child process; clones take {@link #VCSIM_CLONE_DELAY}, so a restart can fall inside
   * one) and worker-vsphere on it; both {@code null} on the QEMU stack.
   */
  final Vcsim vcsim;

  final ServiceProcess vsphereWorker;

  /** The KubeVirt simulator (in this JVM) and worker-kubevirt on it; null on the QEMU stack. */
  final KubeVirtSimulator kubevirt;

  final ServiceProcess kubevirtWorker;
  static final Duration VCSIM_CLONE_DELAY = Duration.ofSeconds(3);
  final Path logs;

  /** The QEMU stack's hosts: the system libvirtd, and a second one started for migrations. */
  static final String HOST_A = "host-a";

  /** The gateway's tenant when a request names none. */
  static final String DEFAULT_TENANT = "default";

  static final String HOST_B = "host-b";

  /** The second host's libvirt URI (QEMU stack only). */
  String secondHostUri;

  private Stack() throws Exception {
    repo = Path.of(System.getProperty("virtsaga.repo", "..")).toAbsolutePath().normalize();
    logs = Files.createDirectories(repo.resolve("e2e-tests/target/e2e-logs"));
    kafka = KafkaTestResource.bootstrapServers();
    orchestratorDb = PostgresTestResource.createDatabase();
    gatewayDb = PostgresTestResource.createDatabase();
    orchestrator = orchestrator(Map.of());
    ServiceProcess.Builder workerBuilder =
        service("worker-libvirt", Ports.free()).env("VIRTSAGA_LIBVIRT_URI", LIBVIRT_URI);
    if (LIBVIRT_URI.startsWith("qemu")) {
      // a second QEMU host for migrations: its own libvirtd, the same pool directory
      secondHostUri = startSecondLibvirtd();
      workerBuilder.env(
          Map.of(
              "VIRTSAGA_LIBVIRT_HOST_NAME",
              HOST_A,
              "VIRTSAGA_LIBVIRT_HOSTS",
              HOST_B + "=" + secondHostUri));
    }
    worker = workerBuilder.build();
    virtfusion = new VirtFusionSimulator().buildDuration(Duration.ofMillis(500));
    virtfusion.start();
    virtfusion.addUserWithRelStr(DEFAULT_TENANT);
    virtfusionWorker =
        service("worker-virtfusion", Ports.free())
            .env(
                Map.of(
                    "VIRTSAGA_VIRTFUSION_BASE_URL", virtfusion.baseUrl(),
                    "VIRTSAGA_VIRTFUSION_TOKEN", virtfusion.token(),
                    "VIRTSAGA_VIRTFUSION_DEFAULTS_PACKAGE_ID", "1",
                    "VIRTSAGA_VIRTFUSION_RATE_LIMIT_QPS", "20",
                    "VIRTSAGA_VIRTFUSION_RATE_LIMIT_BURST", "20",
                    "VIRTSAGA_VIRTFUSION_TIMEOUTS_POLL_INTERVAL", "250ms"))
            // VirtFusion has no watch API: changes made by others are found by the full scan
            .env(
                Map.of(
                    "VIRTSAGA_VIRTFUSION_WATCH_FAST_INTERVAL", "200ms",
                    "VIRTSAGA_VIRTFUSION_WATCH_SLOW_INTERVAL", "400ms"))
            .build();
    boolean simulated = !LIBVIRT_URI.startsWith("qemu");
    if (simulated) {
      vcsim =
          new Vcsim(
                  VcsimInventory.defaults(),
                  Vcsim.DEFAULT_USERNAME,
                  Vcsim.DEFAULT_PASSWORD,
                  logs.resolve("vcsim.log"))
              .methodDelay("CloneVM_Task", VCSIM_CLONE_DELAY)
              .start();
      vsphereWorker =
          service("worker-vsphere", Ports.free())
              .env(DevStack.vSphereEnv(vcsim))
              .env(Map.of("VIRTSAGA_VSPHERE_TIMEOUTS_POLL_INTERVAL", "250ms"))
              .build();
      kubevirt = KubeVirtSimulator.builder().stepDelay(Duration.ofMillis(50)).build().start();
      kubevirtWorker =
          service("worker-kubevirt", Ports.free())
              .env(DevStack.kubeVirtEnv(kubevirt))
              .env(Map.of("VIRTSAGA_KUBEVIRT_TIMEOUTS_POLL_INTERVAL", "100ms"))
              .build();
    } else {
      vcsim = null;
      vsphereWorker = null;
      kubevirt = null;
      kubevirtWorker = null;
    }
    gateway =
        service("api-gateway", Ports.free())
            .database(gatewayDb)
            .env(
                Map.of(
                    "VIRTSAGA_GATEWAY_ENABLED_PROVIDERS",
                    simulated ? DevStack.ENABLED_PROVIDERS : "libvirt,virtfusion"))
            .build();
    java.util.List<ServiceProcess> all =
        new java.util.ArrayList<>(
            java.util.Arrays.asList(worker, virtfusionWorker, orchestrator, gateway));
    if (vsphereWorker != null) {
      all.add(vsphereWorker);
      all.add(kubevirtWorker);
    }
    // registered before anything starts: a stack that fails to come up (or a test JVM that is
    // killed) leaves no service behind
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "e2e-stack-stop"));
    for (ServiceProcess p : all) {
      p.start();
    }
    for (ServiceProcess p : all) {
      p.awaitReady();
    }
  }

  private String startSecondLibvirtd() throws Exception {
    Path script = repo.resolve("providers/libvirt/src/test/scripts/second-libvirtd.sh");
    Process p =
        new ProcessBuilder("sh", script.toString())
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve("second-libvirtd.log").toFile())
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("second libvirtd did not start; see second-libvirtd.log");
    }
    return "qemu+unix:///system?socket=/run/virtsaga-libvirtd2/sock/libvirt-sock";
  }

  /** The workers' watchers, quick to notice an endpoint that stops answering and to recover. */
  static final Map<String, String> WATCHER_ENV =
      Map.of(
          "VIRTSAGA_WATCHER_PROBE_INTERVAL", "500ms",
          "VIRTSAGA_WATCHER_PROBE_TIMEOUT", "3s",
          "VIRTSAGA_WATCHER_LIST_TIMEOUT", "5s",
          "VIRTSAGA_WATCHER_BREAKER_THRESHOLD", "3",
          "VIRTSAGA_WATCHER_BREAKER_OPEN_FOR", "2s",
          "VIRTSAGA_WATCHER_BACKOFF_MAX", "2s");

  private ServiceProcess orchestrator(Map<String, String> extraEnv) {
    return service("orchestrator", orchestratorPort).database(orchestratorDb).env(extraEnv).build();
  }

  private ServiceProcess.Builder service(String module, int port) {
    return ServiceProcess.quarkusApp(module, ServiceProcess.quarkusRunJar(repo, module))
        .kafka(kafka)
        .httpPort(port)
        .env(WATCHER_ENV)
        // what the watchers publish and what the orchestrator decides of it, in e2e-logs/
        .env(
            Map.of(
                "QUARKUS_LOG_CATEGORY__DEV_VIRTSAGA_WATCHER__LEVEL", "DEBUG",
                "QUARKUS_LOG_CATEGORY__DEV_VIRTSAGA_PROVIDERS_VSPHERE__LEVEL", "DEBUG",
                "QUARKUS_LOG_CATEGORY__DEV_VIRTSAGA_ORCHESTRATOR_SERVICE__LEVEL", "DEBUG"))
        .jvmArgs("-Xmx256m")
        .logFile(logs.resolve(module + ".log"));
  }

  static synchronized Stack get() {
    if (instance == null) {
      try {
        instance = new Stack();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the e2e stack", e);
      }
    }
    return instance;
  }

  String gatewayUrl() {
    return gateway.baseUrl();
  }

  /**
   * An operator's own vCenter session on this stack's vcsim (to look at, or change, what VirtSaga
   * manages); the caller closes it.
   */
  VSphereProvider vcenterSession(Vertx vertx) {
    return new VSphereProvider(
        vertx,
        VSphereSettings.of(
            VimSettings.of(vcsim.sdkUrl(), vcsim.username(), vcsim.password())
                .withTls(VimSettings.Tls.insecureLoopback()),
            vcsim.templatePath()));
  }

  /** Restarts the orchestrator with extra environment (e.g. short deadlines), and waits for it. */
  synchronized void restartOrchestrator(Map<String, String> extraEnv) {
    if (orchestrator.isAlive()) {
      orchestrator.stop(Duration.ofSeconds(10));
    }
    orchestrator = orchestrator(extraEnv);
    orchestrator.start().awaitReady();
  }

  private void stopAll() {
    // in parallel, so the JVM exits well within the test runner's patience
    java.util.List<Thread> stops = new java.util.ArrayList<>();
    for (ServiceProcess p :
        new ServiceProcess[] {
          gateway, orchestrator, worker, virtfusionWorker, vsphereWorker, kubevirtWorker
        }) {
      if (p == null) {
        continue;
      }
      Thread t = new Thread(() -> p.stop(Duration.ofSeconds(5)), "stop-" + p.name());
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    virtfusion.close();
    if (vcsim != null) {
      vcsim.stop();
    }
    if (kubevirt != null) {
      kubevirt.close();
    }
    orchestratorDb.drop();
    gatewayDb.drop();
  }
}
