package dev.virtsaga.devstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One service run as a child process, usually a packaged Quarkus app ({@code
 * <module>/target/quarkus-app/quarkus-run.jar}) started with {@code java -jar} and configured
 * through environment variables. Output goes to a log file (appended across restarts) and,
 * optionally ({@link Builder#echo}), to our stdout with a {@code [name]} prefix. A stopped or
 * killed service can be started again with the same configuration.
 *
 * <pre>{@code
 * ServiceProcess orchestrator =
 *     ServiceProcess.quarkusApp("orchestrator", ServiceProcess.quarkusRunJar(repo, "orchestrator"))
 *         .httpPort(8081)
 *         .kafka(broker.bootstrapServers())
 *         .database(Postgres.createDatabase("virtsaga_orchestrator"))
 *         .logFile(repo.resolve(".devstack/logs/orchestrator.log"))
 *         .build()
 *         .start()
 *         .awaitReady();
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {

  /** How long {@link #awaitReady()} waits by default. */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  /** How long {@link #stop()} waits after SIGTERM before SIGKILL. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /** The readiness endpoint of SmallRye Health. */
  public static final String READY_PATH = "/q/health/ready";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path logFile;
  private final Path workingDir;
  private final boolean echo;
  private final int httpPort;

  private volatile Process process;
  private Thread follower;

  private ServiceProcess(Builder b) {
    this.name = b.name;
    this.command = List.copyOf(b.command());
    this.env = Map.copyOf(b.env);
    this.logFile = b.logFile != null ? b.logFile : defaultLogFile(b.name);
    this.workingDir = b.workingDir;
    this.echo = b.echo;
    this.httpPort = b.httpPort;
  }

  /** {@code <repoRoot>/<module>/target/quarkus-app/quarkus-run.jar}. */
  public static Path quarkusRunJar(Path repoRoot, String module) {
    return repoRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  /** A builder for {@code java [jvmArgs] -jar <jar>}. */
  public static Builder quarkusApp(String name, Path jar) {
    return new Builder(name, jar, null);
  }

  /** A builder for an arbitrary command (the first element is the executable). */
  public static Builder command(String name, List<String> command) {
    return new Builder(name, null, List.copyOf(command));
  }

  /** Configuration of a {@link ServiceProcess}; every setter returns this builder. */
  public static final class Builder {
    private final String name;
    private final Path jar;
    private final List<String> rawCommand;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path logFile;
    private Path workingDir;
    private boolean echo;
    private int httpPort = -1;

    private Builder(String name, Path jar, List<String> rawCommand) {
      this.name = Objects.requireNonNull(name, "name");
      this.jar = jar;
      this.rawCommand = rawCommand;
    }

    /** One environment variable for the child (the parent's environment is inherited too). */
    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    /** Several environment variables. */
    public Builder env(Map<String, String> vars) {
      env.putAll(vars);
      return this;
    }

    /** Sets {@code QUARKUS_HTTP_PORT}; {@link #awaitReady()} then polls this port. */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return env("QUARKUS_HTTP_PORT", String.valueOf(port));
    }

    /** Sets {@code KAFKA_BOOTSTRAP_SERVERS}. */
    public Builder kafka(String bootstrapServers) {
      return env("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
    }

    /**
     * Sets {@code QUARKUS_DATASOURCE_REACTIVE_URL}, {@code QUARKUS_DATASOURCE_JDBC_URL}, {@code
     * QUARKUS_DATASOURCE_USERNAME} and {@code QUARKUS_DATASOURCE_PASSWORD}.
     */
    public Builder database(Postgres.Database database) {
      return env(database.env());
    }

    /** JVM options before {@code -jar} (only for {@link #quarkusApp}). */
    public Builder jvmArgs(String... options) {
      jvmArgs.addAll(List.of(options));
      return this;
    }

    /** Program arguments after the jar or command. */
    public Builder args(String... arguments) {
      args.addAll(List.of(arguments));
      return this;
    }

    /** Where output goes (appended); default {@code ${java.io.tmpdir}/virtsaga-<name>.log}. */
    public Builder logFile(Path file) {
      this.logFile = file;
      return this;
    }

    /** The child's working directory; default the parent's. */
    public Builder workingDir(Path dir) {
      this.workingDir = dir;
      return this;
    }

    /** Also copy every output line to our stdout as {@code [name] line}. */
    public Builder echo(boolean echo) {
      this.echo = echo;
      return this;
    }

    /** The process, not started yet. */
    public ServiceProcess build() {
      return new ServiceProcess(this);
    }

    private List<String> command() {
      List<String> cmd = new ArrayList<>();
      if (rawCommand != null) {
        cmd.addAll(rawCommand);
      } else {
        cmd.add(Exec.javaExecutable());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(jar.toAbsolutePath().toString());
      }
      cmd.addAll(args);
      return cmd;
    }
  }

  /**
   * Starts the process (again, after {@link #stop()} or {@link #kill()}).
   *
   * @throws IllegalStateException if it is running, or the jar does not exist
   */
  public synchronized ServiceProcess start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    int jarIndex = command.indexOf("-jar");
    if (jarIndex >= 0 && !Files.isRegularFile(Path.of(command.get(jarIndex + 1)))) {
      throw new IllegalStateException(
          "cannot start "
              + name
              + ": "
              + command.get(jarIndex + 1)
              + " does not exist; build it first (./mvnw -DskipTests install)");
    }
    List<String> full = new ArrayList<>(Exec.newSessionPrefix());
    full.addAll(command);
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      Files.writeString(
          logFile,
          "==== devstack: starting " + name + " at " + Instant.now() + " ====\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
      if (workingDir != null) {
        builder.directory(workingDir.toFile());
      }
      builder.environment().putAll(env);
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      long offset = Files.size(logFile);
      process = builder.start();
      process.getOutputStream().close(); // services read nothing from stdin
      if (echo) {
        follower = startFollower(process, offset);
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", full), e);
    }
  }

  /** Waits until {@code http://127.0.0.1:<httpPort>/q/health/ready} answers 200. */
  public ServiceProcess awaitReady() {
    return awaitReady(baseUrl(), READY_TIMEOUT);
  }

  /** Waits until {@code <baseUrl>/q/health/ready} answers 200, at most 60 s. */
  public ServiceProcess awaitReady(String baseUrl) {
    return awaitReady(baseUrl, READY_TIMEOUT);
  }

  /**
   * Polls {@code <baseUrl>/q/health/ready} until it answers 200.
   *
   * @throws IllegalStateException if the process exits first or the timeout passes, with the last
   *     answer and the tail of the log
   */
  public ServiceProcess awaitReady(String baseUrl, Duration timeout) {
    URI uri = URI.create(stripSlash(baseUrl) + READY_PATH);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (true) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited"
                + (p == null ? " (never started)" : " with code " + p.exitValue())
                + " before "
                + uri
                + " was ready; last lines of "
                + logFile
                + ":\n"
                + logTail(40));
      }
      try {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return this;
        }
        last = "HTTP " + response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name
                + " not ready within "
                + timeout.toSeconds()
                + " s at "
                + uri
                + " (last: "
                + last
                + "); last lines of "
                + logFile
                + ":\n"
                + logTail(40));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + name, e);
      }
    }
  }

  /** Graceful stop: SIGTERM, SIGKILL after {@link #STOP_GRACE}. Returns the exit code, or -1. */
  public int stop() {
    return stop(STOP_GRACE);
  }

  /** Graceful stop with a chosen grace period. Returns the exit code, or -1 if never started. */
  public synchronized int stop(Duration grace) {
    if (process == null) {
      return -1;
    }
    if (process.isAlive()) {
      Exec.destroyTree(process, grace);
    }
    joinFollower();
    return process.exitValue();
  }

  /** SIGKILL, as a crash would: no shutdown hooks run. Returns once the process is gone. */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    Exec.killTree(process);
    joinFollower();
  }

  @Override
  public void close() {
    stop();
  }

  /** Completes when the current process exits (at once if it is not running). */
  public CompletableFuture<ServiceProcess> onExit() {
    Process p = process;
    return p == null
        ? CompletableFuture.completedFuture(this)
        : p.onExit().thenApply(exited -> this);
  }

  /** Whether the process is running. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The pid of the running (or last) process. */
  public long pid() {
    if (process == null) {
      throw new IllegalStateException(name + " was never started");
    }
    return process.pid();
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  /** The port given to {@link Builder#httpPort}, or -1. */
  public int httpPort() {
    return httpPort;
  }

  /** {@code http://127.0.0.1:<httpPort>}. */
  public String baseUrl() {
    if (httpPort < 0) {
      throw new IllegalStateException(name + " has no httpPort configured");
    }
    return "http://127.0.0.1:" + httpPort;
  }

  /** The command run (without the session prefix). */
  public List<String> command() {
    return command;
  }

  /** The environment variables set for the child, on top of the inherited ones. */
  public Map<String, String> env() {
    return env;
  }

  /** The last lines of the log file. */
  public String logTail(int lines) {
    return Exec.tail(logFile, lines);
  }

  @Override
  public String toString() {
    return "ServiceProcess["
        + name
        + (isAlive() ? ", pid " + process.pid() : ", not running")
        + ", log "
        + logFile
        + "]";
  }

  /**
   * Copies what the process appends to the log file to our stdout, line by line with a {@code
   * [name]} prefix, until the process has exited and everything it wrote is shown. (Following the
   * file rather than reading a pipe keeps the log complete whatever happens to this JVM.)
   */
  private Thread startFollower(Process p, long offset) {
    PrintStream out = System.out;
    String prefix = "[" + name + "] ";
    Thread thread =
        new Thread(
            () -> {
              try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
                file.seek(offset);
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                while (true) {
                  boolean exited = !p.isAlive();
                  int n = file.read(buffer);
                  if (n > 0) {
                    for (int i = 0; i < n; i++) {
                      if (buffer[i] == '\n') {
                        out.println(prefix + line.toString(StandardCharsets.UTF_8));
                        line.reset();
                      } else {
                        line.write(buffer[i]);
                      }
                    }
                  } else if (exited) {
                    if (line.size() > 0) {
                      out.println(prefix + line.toString(StandardCharsets.UTF_8));
                    }
                    return;
                  } else {
                    Thread.sleep(100);
                  }
                }
              } catch (IOException e) {
                out.println(prefix + "(log no longer readable: " + e.getMessage() + ")");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "devstack-output-" + name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void joinFollower() {
    if (follower != null) {
      try {
        follower.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      follower = null;
    }
  }

  private static Path defaultLogFile(String name) {
    return Path.of(System.getProperty("java.io.tmpdir"), "virtsaga-" + name + ".log");
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
