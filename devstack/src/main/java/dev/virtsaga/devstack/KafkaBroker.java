package dev.virtsaga.devstack;

import dev.virtsaga.events.Topics;
import dev.virtsaga.events.Topics.TopicSpec;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker (KRaft, combined broker + controller, one node) running in its own
 * JVM, started from the {@code kafka_2.13} jars whose classpath the build wrote into {@code
 * devstack/kafka.classpath}. Every topic of {@link Topics#all()} exists once {@link #start}
 * returns.
 *
 * <p>Tests use {@link #shared()}; the launcher uses {@link #start(Path, int, int)} with fixed
 * ports.
 */
public final class KafkaBroker implements AutoCloseable {

  /** How long {@link #start} waits for the broker to answer before giving up. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** Heap of the broker JVM. */
  public static final String BROKER_HEAP = "-Xmx512m";

  /** Environment variable: bootstrap servers of an already running broker for {@link #shared}. */
  public static final String EXTERNAL_BOOTSTRAP_ENV = "VIRTSAGA_KAFKA_BOOTSTRAP_SERVERS";

  private static final String CLASSPATH_RESOURCE = "devstack/kafka.classpath";
  private static final String SHARED_CLASSPATH_RESOURCE = "devstack/kafka-shared.classpath";
  private static final String MAIN_CLASS = KafkaBrokerMain.class.getName();
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final System.Logger LOG = System.getLogger(KafkaBroker.class.getName());

  // JVM-wide (not per class loader: Quarkus tests load this class more than once) state of
  // shared(): a lock object and the bootstrap servers of the broker the first loader started.
  private static final String SHARED_LOCK_KEY = "dev.virtsaga.devstack.kafka.shared.lock";
  private static final String SHARED_BOOTSTRAP_KEY = "dev.virtsaga.devstack.kafka.shared.bootstrap";
  private static volatile KafkaBroker shared;

  private final Path workDir;
  private final int port;
  private final int controllerPort;
  private final Process process; // null when attached to a broker someone else runs
  private final String bootstrapServers;

  private KafkaBroker(
      Path workDir, int port, int controllerPort, Process process, String bootstrapServers) {
    this.workDir = workDir;
    this.port = port;
    this.controllerPort = controllerPort;
    this.process = process;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Formats (first time only) and starts a broker whose data, configuration and log live in {@code
   * workDir}, waits until it answers, and creates every topic of {@link Topics#all()}.
   *
   * @param port the client (PLAINTEXT) port on 127.0.0.1, or 0 for a free one; the controller
   *     listener gets a free port
   * @throws IllegalStateException with the tail of the broker's log when it does not come up
   */
  public static KafkaBroker start(Path workDir, int port) {
    return start(workDir, port, 0);
  }

  /**
   * As {@link #start(Path, int)}, with the controller port chosen as well (0 = a free one). Keep it
   * fixed when {@code workDir} is reused across runs.
   */
  public static KafkaBroker start(Path workDir, int port, int controllerPort) {
    int brokerPort = port == 0 ? Ports.free() : port;
    int ctrlPort = controllerPort == 0 ? Ports.free() : controllerPort;
    while (ctrlPort == brokerPort) {
      ctrlPort = Ports.free();
    }
    for (int p : List.of(brokerPort, ctrlPort)) {
      if (!Ports.isFree(p)) {
        throw new IllegalStateException(
            "cannot start Kafka: port 127.0.0.1:" + p + " is already in use");
      }
    }
    Path dir = workDir.toAbsolutePath();
    try {
      Files.createDirectories(dir.resolve("data"));
      String classpath = brokerClasspath(dir);
      Path config = writeConfig(dir, brokerPort, ctrlPort);
      format(dir, classpath, config);
      Process process = launch(dir, classpath, config);
      KafkaBroker broker =
          new KafkaBroker(dir, brokerPort, ctrlPort, process, "127.0.0.1:" + brokerPort);
      try {
        broker.awaitReady(START_TIMEOUT);
        broker.createTopics(Topics.all());
      } catch (RuntimeException e) {
        broker.stop();
        throw e;
      }
      LOG.log(System.Logger.Level.INFO, "Kafka broker ready on {0} (data in {1})", broker, dir);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka broker in " + dir, e);
    }
  }

  /**
   * The broker shared by every test of this JVM: started on free ports in a temporary directory on
   * first use, stopped (and its directory deleted) by a shutdown hook. When the environment
   * variable {@value #EXTERNAL_BOOTSTRAP_ENV} is set, that broker is used instead (its topics are
   * created when missing) and nothing is started.
   */
  public static KafkaBroker shared() {
    KafkaBroker local = shared;
    if (local != null) {
      return local;
    }
    // An interned string is one object JVM-wide, so copies of this class in other class loaders
    // share the lock; system properties must hold only strings (Narayana reads them all).
    synchronized (SHARED_LOCK_KEY.intern()) {
      if (shared != null) {
        return shared;
      }
      String running = System.getProperty(SHARED_BOOTSTRAP_KEY);
      String external = System.getenv(EXTERNAL_BOOTSTRAP_ENV);
      if (running != null) {
        // started by a copy of this class in another class loader of this JVM
        shared = attach(running);
      } else if (external != null && !external.isBlank()) {
        shared = attach(external.trim());
        shared.createTopics(Topics.all());
        System.setProperty(SHARED_BOOTSTRAP_KEY, shared.bootstrapServers());
      } else {
        shared = startShared();
        System.setProperty(SHARED_BOOTSTRAP_KEY, shared.bootstrapServers());
      }
      return shared;
    }
  }

  private static KafkaBroker startShared() {
    Path dir;
    try {
      dir = Files.createTempDirectory("virtsaga-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the shared Kafka broker", e);
    }
    KafkaBroker broker;
    try {
      broker = start(dir, 0);
    } catch (RuntimeException e) {
      Exec.deleteTree(dir);
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  broker.stop();
                  Exec.deleteTree(dir);
                },
                "devstack-kafka-shutdown"));
    return broker;
  }

  /** A handle on a broker this JVM does not own: {@link #stop()} leaves it running. */
  private static KafkaBroker attach(String bootstrapServers) {
    return new KafkaBroker(null, -1, -1, null, bootstrapServers);
  }

  /** {@code host:port} for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The client port, or -1 for a broker this JVM did not start. */
  public int port() {
    return port;
  }

  /** The KRaft controller port, or -1 for a broker this JVM did not start. */
  public int controllerPort() {
    return controllerPort;
  }

  /** Directory of data, configuration and {@code broker.log}; null when not started here. */
  public Path workDir() {
    return workDir;
  }

  /** The broker JVM's output. */
  public Path logFile() {
    return workDir == null ? null : workDir.resolve("broker.log");
  }

  /** Whether the broker process runs (always true for a broker this JVM did not start). */
  public boolean isRunning() {
    return process == null || process.isAlive();
  }

  /** The last lines of the broker's log. */
  public String logTail(int lines) {
    return workDir == null ? "(broker not started by this JVM)" : Exec.tail(logFile(), lines);
  }

  /**
   * Creates the topics that do not exist yet (others are left as they are) and waits until each
   * partition has a leader.
   */
  public void createTopics(Collection<TopicSpec> specs) {
    try (Admin admin = Admin.create(adminConfig())) {
      List<NewTopic> topics =
          specs.stream()
              .map(s -> new NewTopic(s.name(), s.partitions(), (short) 1).configs(s.config()))
              .toList();
      for (Map.Entry<String, KafkaFuture<Void>> created :
          admin.createTopics(topics).values().entrySet()) {
        try {
          created.getValue().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic " + created.getKey() + " on " + bootstrapServers,
                e.getCause());
          }
        }
      }
      awaitLeaders(admin, specs.stream().map(TopicSpec::name).toList());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out creating topics on " + bootstrapServers, e);
    }
  }

  /**
   * Stops the broker (SIGTERM, a controlled shutdown; SIGKILL after 30 s) and waits until its JVM
   * is gone. Does nothing for a broker this JVM did not start, or one already stopped.
   */
  public void stop() {
    if (process != null && process.isAlive()) {
      Exec.destroyTree(process, STOP_GRACE);
      LOG.log(System.Logger.Level.INFO, "Kafka broker on {0} stopped", bootstrapServers);
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers + (process == null ? ", attached" : "") + "]";
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    // Wait for the listener first: an AdminClient polling a closed port logs a warning per try.
    while (!Ports.isListening("127.0.0.1", port)) {
      checkAlive();
      checkDeadline(deadline, timeout, "its port never opened");
      pause();
    }
    Exception last = null;
    try (Admin admin = Admin.create(adminConfig())) {
      while (true) {
        checkAlive();
        try {
          var nodes =
              admin
                  .describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                  .nodes()
                  .get(3, TimeUnit.SECONDS);
          if (!nodes.isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
        checkDeadline(
            deadline, timeout, "describeCluster failed: " + (last == null ? "no nodes" : last));
        pause();
      }
    }
  }

  private void awaitLeaders(Admin admin, List<String> names)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        Map<String, TopicDescription> described =
            admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
        boolean allLed =
            described.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        if (allLed) {
          return;
        }
      } catch (ExecutionException e) {
        // metadata not propagated yet (UnknownTopicOrPartition): try again
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + names + " got no leader within 30 s");
      }
      pause();
    }
  }

  private void checkAlive() {
    if (process != null && !process.isAlive()) {
      throw new IllegalStateException(
          "Kafka broker exited with code "
              + process.exitValue()
              + " before it was ready; last lines of "
              + logFile()
              + ":\n"
              + logTail(40));
    }
  }

  private void checkDeadline(long deadline, Duration timeout, String why) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "Kafka broker on "
              + bootstrapServers
              + " not ready within "
              + timeout.toSeconds()
              + " s ("
              + why
              + "); last lines of "
              + logFile()
              + ":\n"
              + logTail(40));
    }
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Kafka", e);
    }
  }

  private Properties adminConfig() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "devstack-admin");
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 100);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 100);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    return props;
  }

  private static Path writeConfig(Path dir, int port, int controllerPort) throws IOException {
    String config =
        String.join(
            "\n",
            "# Written by devstack (dev.virtsaga.devstack.KafkaBroker); rewritten on every start.",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("data"),
            "num.partitions=" + Topics.PARTITIONS,
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=10",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.cleaner.backoff.ms=1000",
            "");
    Path file = dir.resolve("server.properties");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    return file;
  }

  /** Formats the log directory unless it already is (so data survives restarts of a workDir). */
  private static void format(Path dir, String classpath, Path config) {
    if (Files.exists(dir.resolve("data/meta.properties"))) {
      return; // formatted by an earlier start; its cluster id stays
    }
    Exec.Result result =
        Exec.run(
            List.of(
                Exec.javaExecutable(),
                "-Xmx256m",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                config.toString()),
            Map.of(),
            Duration.ofSeconds(60));
    if (!result.ok()) {
      throw new IllegalStateException(
          "cannot format the Kafka log directory "
              + dir.resolve("data")
              + " (exit "
              + result.exitCode()
              + "):\n"
              + lastLines(result.output(), 30));
    }
  }

  private static Process launch(Path dir, String classpath, Path config) throws IOException {
    List<String> command = new ArrayList<>(Exec.newSessionPrefix());
    command.addAll(
        List.of(
            Exec.javaExecutable(),
            "-Xms128m",
            BROKER_HEAP,
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            "-Dkafka.logs.dir=" + dir,
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS",
            "-Dorg.slf4j.simpleLogger.log.state.change.logger=warn",
            "-cp",
            classpath,
            MAIN_CLASS,
            config.toString()));
    Path log = dir.resolve("broker.log");
    Files.writeString(
        log,
        "==== devstack: starting Kafka broker at " + Instant.now() + " ====\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        // stdin stays a pipe we never write to: its end-of-file tells KafkaBrokerMain we are gone
        .start();
  }

  /**
   * The broker JVM's classpath: the launcher class (copied out of our jar, so it works whatever
   * class loader loaded us) plus the jars listed in the resources the build wrote.
   */
  private static String brokerClasspath(Path dir) throws IOException {
    Path launcherDir = dir.resolve("launcher");
    Path classFile = launcherDir.resolve(MAIN_CLASS.replace('.', '/') + ".class");
    Files.createDirectories(classFile.getParent());
    try (InputStream in = resource(MAIN_CLASS.replace('.', '/') + ".class")) {
      Files.copy(in, classFile, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> entries = new ArrayList<>();
    entries.add(launcherDir.toString());
    for (String name : List.of(CLASSPATH_RESOURCE, SHARED_CLASSPATH_RESOURCE)) {
      try (InputStream in = resource(name)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        for (String entry : text.split(File.pathSeparator)) {
          if (entry.isBlank()) {
            continue;
          }
          if (!Files.exists(Path.of(entry))) {
            throw new IllegalStateException(
                "the Kafka broker jar "
                    + entry
                    + " (listed in "
                    + name
                    + ") is missing; rebuild devstack: ./mvnw -pl devstack install");
          }
          entries.add(entry);
        }
      }
    }
    return entries.stream().distinct().collect(Collectors.joining(File.pathSeparator));
  }

  private static String lastLines(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static InputStream resource(String name) {
    InputStream in = KafkaBroker.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(
          "resource "
              + name
              + " not found on the classpath; it is written by the devstack build"
              + " (./mvnw -pl devstack install)");
    }
    return in;
  }
}
