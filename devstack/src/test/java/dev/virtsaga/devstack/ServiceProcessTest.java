package dev.virtsaga.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceProcessTest {

  @TempDir Path dir;

  private ServiceProcess service;

  @AfterEach
  void stopService() {
    if (service != null) {
      service.kill();
    }
  }

  @Test
  void startsWithEnvironmentBecomesReadyAndStopsGracefully() throws Exception {
    // Given a service with an HTTP port, Kafka and database settings and an extra variable
    int port = Ports.free();
    service =
        fakeService("fake", port)
            .kafka("127.0.0.1:1")
            .database(new Postgres.Database("some_db"))
            .env("VIRTSAGA_LIBVIRT_URI", "test:///default")
            .build();

    // When it is started and awaited
    service.start().awaitReady();

    // Then it sees its environment, and its output is in the log file
    assertThat(get(port, "/env/VIRTSAGA_LIBVIRT_URI")).isEqualTo("test:///default");
    assertThat(get(port, "/env/KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("127.0.0.1:1");
    assertThat(get(port, "/env/QUARKUS_DATASOURCE_JDBC_URL"))
        .isEqualTo(Postgres.jdbcUrl("some_db"));
    assertThat(get(port, "/env/QUARKUS_DATASOURCE_USERNAME")).isEqualTo("virtsaga");
    assertThat(Files.readString(service.logFile())).contains("fake service: listening on " + port);

    // And stop() lets its shutdown hooks run
    service.stop();
    assertThat(service.isAlive()).isFalse();
    assertThat(Files.readString(service.logFile())).contains("fake service: graceful shutdown");
  }

  @Test
  void echoCopiesOutputToStdoutWithThePrefix() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int port = Ports.free();
      service = fakeService("chatty", port).echo(true).build();
      service.start().awaitReady();
      service.stop();
    } finally {
      System.setOut(original);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8))
        .contains("[chatty] fake service: listening on")
        .contains("[chatty] fake service: graceful shutdown");
  }

  @Test
  void killIsACrashAndTheServiceCanBeStartedAgain() throws Exception {
    int port = Ports.free();
    service = fakeService("crashy", port).build();
    service.start().awaitReady();
    long firstPid = service.pid();

    // When it is killed, no shutdown hook runs
    service.kill();
    assertThat(service.isAlive()).isFalse();
    assertThat(Files.readString(service.logFile())).doesNotContain("graceful shutdown");

    // Then it starts again on the same port, and the log keeps both runs
    service.start().awaitReady();
    assertThat(service.pid()).isNotEqualTo(firstPid);
    assertThat(get(port, "/q/health/ready")).contains("UP");
    assertThat(Files.readString(service.logFile()))
        .containsSubsequence(
            "starting crashy", "listening on " + port, "starting crashy", "listening on " + port);
  }

  @Test
  void startingTwiceIsAnError() {
    service = fakeService("twice", Ports.free()).build().start();
    assertThatThrownBy(service::start).hasMessageContaining("already running");
  }

  @Test
  void awaitReadyFailsFastWithTheLogWhenTheProcessDies() {
    // Given a "service" that prints something and exits
    service =
        ServiceProcess.command("dies", List.of("sh", "-c", "echo boom: no config; exit 3"))
            .httpPort(Ports.free())
            .logFile(dir.resolve("dies.log"))
            .build();

    // Then awaiting it reports the exit code and the log tail well before the timeout
    long start = System.nanoTime();
    assertThatThrownBy(() -> service.start().awaitReady(service.baseUrl(), Duration.ofSeconds(30)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("boom: no config");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void awaitReadyTimesOutWhenNothingAnswers() {
    service =
        ServiceProcess.command("silent", List.of("sleep", "30"))
            .httpPort(Ports.free())
            .logFile(dir.resolve("silent.log"))
            .build()
            .start();
    assertThatThrownBy(() -> service.awaitReady(service.baseUrl(), Duration.ofMillis(500)))
        .hasMessageContaining("not ready within");
  }

  @Test
  void missingJarIsReportedBeforeStarting() {
    service =
        ServiceProcess.quarkusApp("ghost", dir.resolve("ghost/target/quarkus-app/quarkus-run.jar"))
            .logFile(dir.resolve("ghost.log"))
            .build();
    assertThatThrownBy(service::start).hasMessageContaining("does not exist");
  }

  @Test
  void quarkusRunJarFollowsTheModuleLayout() {
    assertThat(ServiceProcess.quarkusRunJar(Path.of("/repo"), "orchestrator"))
        .isEqualTo(Path.of("/repo/orchestrator/target/quarkus-app/quarkus-run.jar"));
  }

  private ServiceProcess.Builder fakeService(String name, int port) {
    return ServiceProcess.command(
            name,
            List.of(
                Exec.javaExecutable(),
                "-Xmx32m",
                "-cp",
                testClasses(),
                FakeService.class.getName()))
        .httpPort(port)
        .logFile(dir.resolve(name + ".log"));
  }

  private static String testClasses() {
    try {
      return Path.of(FakeService.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String get(int port, String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
