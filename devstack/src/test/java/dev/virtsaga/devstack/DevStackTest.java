package dev.virtsaga.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.devstack.kubevirt.KubeVirtSimulator;
import dev.virtsaga.events.Topics;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the launcher as {@code bin/stack} does, against a repository whose service jars are {@link
 * FakeService}: real Kafka, real PostgreSQL, real child processes, the real simulators (vcsim needs
 * the Go packages of bin/setup).
 */
class DevStackTest {

  @TempDir Path repo;

  private ServiceProcess devstack;

  @AfterEach
  void kill() {
    if (devstack != null) {
      devstack.kill(); // only matters when the test failed half-way
    }
  }

  @Test
  void startsKafkaDatabasesAndServicesThenStopsThemInOrder() throws Exception {
    // Given a repository with packaged services and free ports
    for (String module :
        List.of(
            "orchestrator",
            "worker-libvirt",
            "worker-virtfusion",
            "worker-vsphere",
            "worker-kubevirt",
            "api-gateway")) {
      writeFakeServiceJar(ServiceProcess.quarkusRunJar(repo, module));
    }
    int kafkaPort = freePortPair();
    int gateway = Ports.free();
    int orchestrator = Ports.free();
    int worker = Ports.free();
    int virtfusionWorker = Ports.free();
    int simulator = Ports.free();
    int vsphereWorker = Ports.free();
    int vcsim = Ports.free();
    int kubevirtWorker = Ports.free();
    int kubevirtSim = Ports.free();

    // When the launcher runs
    devstack =
        ServiceProcess.command(
                "devstack",
                List.of(
                    Exec.javaExecutable(),
                    "-Dvirtsaga.home=" + repo,
                    "-cp",
                    launcherClasspath(),
                    DevStack.class.getName()))
            .env(DevStack.KAFKA_PORT_ENV, String.valueOf(kafkaPort))
            .env(DevStack.GATEWAY_PORT_ENV, String.valueOf(gateway))
            .env(DevStack.ORCHESTRATOR_PORT_ENV, String.valueOf(orchestrator))
            .env(DevStack.WORKER_LIBVIRT_PORT_ENV, String.valueOf(worker))
            .env(DevStack.WORKER_VIRTFUSION_PORT_ENV, String.valueOf(virtfusionWorker))
            .env(DevStack.VIRTFUSION_SIM_PORT_ENV, String.valueOf(simulator))
            .env(DevStack.WORKER_VSPHERE_PORT_ENV, String.valueOf(vsphereWorker))
            .env(DevStack.VCSIM_PORT_ENV, String.valueOf(vcsim))
            .env(DevStack.WORKER_KUBEVIRT_PORT_ENV, String.valueOf(kubevirtWorker))
            .env(KubeVirtSimulator.PORT_ENV, String.valueOf(kubevirtSim))
            .env(DevStack.LIBVIRT_URI_ENV, "test:///devstack-test")
            .logFile(repo.resolve("devstack.log"))
            .build()
            .start();
    Awaitility.await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .failFast("the launcher exited", () -> !devstack.isAlive())
        .until(() -> Files.readString(devstack.logFile()).contains("VirtSaga devstack is up"));

    // Then each service got its port, Kafka, and its own database (the worker: its libvirt URI)
    String kafka = "127.0.0.1:" + kafkaPort;
    assertThat(env(orchestrator, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(kafka);
    assertThat(env(orchestrator, "QUARKUS_HTTP_PORT")).isEqualTo(String.valueOf(orchestrator));
    assertThat(env(orchestrator, "QUARKUS_DATASOURCE_REACTIVE_URL"))
        .isEqualTo(Postgres.reactiveUrl(DevStack.ORCHESTRATOR_DB));
    assertThat(env(orchestrator, "QUARKUS_DATASOURCE_JDBC_URL"))
        .isEqualTo(Postgres.jdbcUrl(DevStack.ORCHESTRATOR_DB));
    assertThat(env(orchestrator, "QUARKUS_DATASOURCE_USERNAME")).isEqualTo(Postgres.USER);
    assertThat(env(orchestrator, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo(Postgres.PASSWORD);
    assertThat(env(worker, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(kafka);
    assertThat(env(worker, "VIRTSAGA_LIBVIRT_URI")).isEqualTo("test:///devstack-test");
    assertThat(env(worker, "QUARKUS_DATASOURCE_JDBC_URL")).isNull();
    // the VirtFusion worker drives the simulator the launcher runs
    assertThat(env(virtfusionWorker, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(kafka);
    assertThat(env(virtfusionWorker, "VIRTSAGA_VIRTFUSION_BASE_URL"))
        .isEqualTo("http://127.0.0.1:" + simulator + "/api/v1");
    // the vSphere worker drives the vcsim the launcher runs, with its cluster's hosts
    assertThat(env(vsphereWorker, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(kafka);
    assertThat(env(vsphereWorker, "VIRTSAGA_VSPHERE_SDK_URL"))
        .isEqualTo("https://127.0.0.1:" + vcsim + "/sdk");
    assertThat(env(vsphereWorker, "VIRTSAGA_VSPHERE_TLS_INSECURE_LOOPBACK")).isEqualTo("true");
    assertThat(env(vsphereWorker, "VIRTSAGA_VSPHERE_HOSTS"))
        .isEqualTo("DC0_C0_H0,DC0_C0_H1,DC0_C0_H2");
    assertThat(Ports.isListening("127.0.0.1", vcsim)).as("vcsim listening").isTrue();
    // the KubeVirt worker drives the simulator the launcher runs, with its nodes
    assertThat(env(kubevirtWorker, "VIRTSAGA_KUBEVIRT_MASTER_URL"))
        .isEqualTo("http://127.0.0.1:" + kubevirtSim);
    assertThat(env(kubevirtWorker, "VIRTSAGA_KUBEVIRT_HOSTS")).isEqualTo("node-a,node-b,node-c");
    assertThat(Ports.isListening("127.0.0.1", kubevirtSim)).as("simulator listening").isTrue();
    assertThat(env(gateway, "VIRTSAGA_GATEWAY_ENABLED_PROVIDERS"))
        .isEqualTo("libvirt,virtfusion,vsphere,kubevirt");
    assertThat(env(gateway, "KAFKA_BOOTSTRAP_SERVERS")).isEqualTo(kafka);
    assertThat(env(gateway, "QUARKUS_DATASOURCE_JDBC_URL"))
        .isEqualTo(Postgres.jdbcUrl(DevStack.GATEWAY_DB));

    // And Kafka has the system's topics, with data under .devstack/
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    try (Admin client = Admin.create(admin)) {
      assertThat(client.listTopics().names().get(10, TimeUnit.SECONDS)).contains(Topics.STATE);
    }
    assertThat(repo.resolve(".devstack/kafka/data/meta.properties")).exists();

    // When it is stopped as Ctrl-C would (SIGTERM runs the same shutdown hook as SIGINT)
    devstack.stop(Duration.ofSeconds(60));

    // Then the services stopped gracefully, in reverse order, before Kafka
    assertThat(Files.readString(devstack.logFile()))
        .containsSubsequence(
            "stopping api-gateway",
            "stopping worker-kubevirt",
            "stopping worker-vsphere",
            "stopping worker-virtfusion",
            "stopping worker-libvirt",
            "stopping orchestrator",
            "stopping the KubeVirt simulator",
            "stopping vcsim",
            "stopping Kafka",
            "devstack: stopped");
    for (String service :
        List.of(
            "orchestrator",
            "worker-libvirt",
            "worker-virtfusion",
            "worker-vsphere",
            "worker-kubevirt",
            "api-gateway")) {
      assertThat(repo.resolve(".devstack/logs/" + service + ".log"))
          .content()
          .contains("fake service: graceful shutdown");
    }
    for (int port :
        List.of(
            kafkaPort,
            kafkaPort + 1,
            gateway,
            orchestrator,
            worker,
            virtfusionWorker,
            simulator,
            vsphereWorker,
            vcsim,
            kubevirtWorker,
            kubevirtSim)) {
      assertThat(Ports.isListening("127.0.0.1", port)).as("port %d closed", port).isFalse();
    }
  }

  private static String env(int port, String name) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/env/" + name))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return response.statusCode() == 404 ? null : response.body();
  }

  /** A jar like quarkus-run.jar: only a manifest, here pointing at {@link FakeService}. */
  private static void writeFakeServiceJar(Path jar) throws Exception {
    Files.createDirectories(jar.getParent());
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
    manifest
        .getMainAttributes()
        .put(
            Attributes.Name.CLASS_PATH,
            FakeService.class.getProtectionDomain().getCodeSource().getLocation().toString());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      // manifest only
    }
  }

  /** devstack's classes plus the runtime classpath the build wrote, as bin/stack uses them. */
  private static String launcherClasspath() throws Exception {
    Path classes =
        Path.of(DevStack.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path runtime = classes.resolveSibling("runtime.classpath");
    return classes + File.pathSeparator + Files.readString(runtime).trim();
  }

  private static int freePortPair() {
    for (int i = 0; i < 50; i++) {
      int port = Ports.free();
      if (Ports.isFree(port + 1)) {
        return port;
      }
    }
    throw new IllegalStateException("no two consecutive free ports");
  }
}
