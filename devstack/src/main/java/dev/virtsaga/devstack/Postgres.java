package dev.virtsaga.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local PostgreSQL server (Debian package {@code postgresql}, managed with {@code
 * pg_ctlcluster}), installed and started when needed, with the application role {@value #USER}.
 * Databases are created and dropped through {@code psql} run as the {@code postgres} OS user, so
 * this needs root (or to run as {@code postgres}, or password-less {@code sudo}).
 */
public final class Postgres {

  /** Where clients connect: TCP on loopback, password authentication. */
  public static final String HOST = "127.0.0.1";

  /** The port of a Debian cluster unless {@code pg_lsclusters} says otherwise. */
  public static final int DEFAULT_PORT = 5432;

  /** The application role (LOGIN CREATEDB) that owns every database created here. */
  public static final String USER = "virtsaga";

  /** Password of {@link #USER}; a local development credential, never used outside devstack. */
  public static final String PASSWORD = "virtsaga";

  private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PSQL_TIMEOUT = Duration.ofSeconds(30);
  private static final System.Logger LOG = System.getLogger(Postgres.class.getName());

  private static volatile int port = DEFAULT_PORT;
  private static volatile boolean ensured;

  private Postgres() {}

  /** A database created by {@link #createDatabase}, with what a service needs to reach it. */
  public record Database(String name) {

    public String jdbcUrl() {
      return Postgres.jdbcUrl(name);
    }

    public String reactiveUrl() {
      return Postgres.reactiveUrl(name);
    }

    public String username() {
      return USER;
    }

    public String password() {
      return PASSWORD;
    }

    /** Quarkus configuration properties pointing a datasource at this database. */
    public Map<String, String> quarkusConfig() {
      Map<String, String> config = new LinkedHashMap<>();
      config.put("quarkus.datasource.reactive.url", reactiveUrl());
      config.put("quarkus.datasource.jdbc.url", jdbcUrl());
      config.put("quarkus.datasource.username", USER);
      config.put("quarkus.datasource.password", PASSWORD);
      return config;
    }

    /** The same as environment variables, for a packaged service run as a child process. */
    public Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("QUARKUS_DATASOURCE_REACTIVE_URL", reactiveUrl());
      env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl());
      env.put("QUARKUS_DATASOURCE_USERNAME", USER);
      env.put("QUARKUS_DATASOURCE_PASSWORD", PASSWORD);
      return env;
    }

    /** Drops this database (see {@link Postgres#dropDatabase}). */
    public void drop() {
      dropDatabase(name);
    }
  }

  /**
   * Makes sure PostgreSQL is installed (apt-get when {@code pg_ctlcluster} is missing), its cluster
   * is online and accepts connections on {@link #HOST}, and the role {@value #USER} exists and can
   * log in over TCP with its password. Idempotent and cheap once done.
   *
   * @throws IllegalStateException saying which step failed, with the command's output
   */
  public static synchronized void ensureRunning() {
    if (ensured && Ports.isListening(HOST, port)) {
      return;
    }
    if (!Exec.onPath("pg_ctlcluster")) {
      install();
    }
    Cluster cluster = cluster();
    port = cluster.port();
    if (!cluster.online()) {
      LOG.log(System.Logger.Level.INFO, "starting PostgreSQL cluster {0}", cluster);
      Exec.Result started =
          Exec.run(
              List.of("pg_ctlcluster", cluster.version(), cluster.name(), "start"),
              Map.of(),
              Duration.ofSeconds(60));
      // Someone else may have started it meanwhile: only the cluster's state counts.
      if (!started.ok() && !cluster().online()) {
        throw new IllegalStateException(
            "cannot start PostgreSQL cluster "
                + cluster
                + ":\n"
                + started.output()
                + "\nlast lines of "
                + cluster.logFile()
                + ":\n"
                + Exec.tail(Path.of(cluster.logFile()), 20));
      }
    }
    awaitAcceptingConnections(cluster);
    psqlAsSuperuser(
        "DO $$ BEGIN CREATE ROLE "
            + USER
            + " LOGIN CREATEDB PASSWORD '"
            + PASSWORD
            + "'; EXCEPTION WHEN duplicate_object OR unique_violation THEN ALTER ROLE "
            + USER
            + " LOGIN CREATEDB PASSWORD '"
            + PASSWORD
            + "'; END $$;");
    ensurePasswordLogin();
    ensured = true;
  }

  /** {@value #HOST}. */
  public static String host() {
    return HOST;
  }

  /** The cluster's port, known for sure after {@link #ensureRunning()}. */
  public static int port() {
    return port;
  }

  /** {@value #USER}. */
  public static String user() {
    return USER;
  }

  /** {@value #PASSWORD}. */
  public static String password() {
    return PASSWORD;
  }

  /**
   * {@code postgresql://127.0.0.1:<port>/<db>}, the form {@code quarkus.datasource.reactive.url}
   * takes.
   */
  public static String reactiveUrl(String database) {
    return "postgresql://" + HOST + ":" + port + "/" + database;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<db>}. */
  public static String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
  }

  /**
   * Creates the database owned by {@value #USER} unless it exists. Calls {@link #ensureRunning()}.
   *
   * @param name lower-case letters, digits and underscores (a plain SQL identifier)
   */
  public static Database createDatabase(String name) {
    checkName(name);
    ensureRunning();
    String exists = psqlAsSuperuser("SELECT 1 FROM pg_database WHERE datname = '" + name + "'");
    if (!exists.strip().equals("1")) {
      Exec.Result created = psqlAsSuperuserResult("CREATE DATABASE " + name + " OWNER " + USER);
      if (!created.ok() && !created.output().contains("already exists")) {
        throw new IllegalStateException(
            "cannot create database " + name + ":\n" + created.output());
      }
    }
    return new Database(name);
  }

  /** Drops the database if it exists, disconnecting whoever still uses it. */
  public static void dropDatabase(String name) {
    checkName(name);
    ensureRunning();
    psqlAsSuperuser("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }

  private static void checkName(String name) {
    if (name == null || !DB_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "database name must match " + DB_NAME.pattern() + ", got: " + name);
    }
  }

  // ---- installation and cluster -------------------------------------------------------------

  private static void install() {
    if (!isRoot()) {
      throw new IllegalStateException(
          "PostgreSQL is not installed (no pg_ctlcluster) and installing it needs root:"
              + " run bin/setup as root, or apt-get install postgresql");
    }
    System.err.println("devstack: PostgreSQL is missing, installing the Debian package ...");
    Exec.run(List.of("apt-get", "update"), Map.of(), Duration.ofMinutes(5)).orThrow();
    Exec.run(
            List.of("apt-get", "install", "-y", "--no-install-recommends", "postgresql"),
            Map.of("DEBIAN_FRONTEND", "noninteractive"),
            Duration.ofMinutes(10))
        .orThrow();
  }

  /** One line of {@code pg_lsclusters}. */
  private record Cluster(String version, String name, int port, String status, String logFile) {
    boolean online() {
      return status.startsWith("online");
    }

    @Override
    public String toString() {
      return version + "/" + name + " (port " + port + ", " + status + ")";
    }
  }

  /** The cluster to use: {@code main} of the newest version, created when there is none. */
  private static Cluster cluster() {
    Optional<Cluster> found = listClusters();
    if (found.isPresent()) {
      return found.get();
    }
    String version = newestInstalledVersion();
    LOG.log(System.Logger.Level.INFO, "creating PostgreSQL cluster {0}/main", version);
    Exec.run(List.of("pg_createcluster", version, "main"), Map.of(), Duration.ofMinutes(2))
        .orThrow();
    return listClusters()
        .orElseThrow(() -> new IllegalStateException("pg_createcluster made no cluster"));
  }

  private static Optional<Cluster> listClusters() {
    String out =
        Exec.run(List.of("pg_lsclusters", "--no-header"), Map.of(), PSQL_TIMEOUT)
            .orThrow()
            .output();
    List<Cluster> clusters = new ArrayList<>();
    for (String line : out.lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 6 && f[2].matches("\\d+")) {
        clusters.add(
            new Cluster(f[0], f[1], Integer.parseInt(f[2]), f[3], f.length > 6 ? f[6] : ""));
      }
    }
    Comparator<Cluster> order =
        Comparator.comparing((Cluster c) -> c.name().equals("main"))
            .thenComparing(c -> versionNumber(c.version()));
    return clusters.stream().max(order);
  }

  private static String newestInstalledVersion() {
    try (Stream<Path> dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
      return dirs.map(p -> p.getFileName().toString())
          .filter(v -> v.matches("\\d+(\\.\\d+)?"))
          .max(Comparator.comparing(Postgres::versionNumber))
          .orElseThrow(
              () -> new IllegalStateException("no PostgreSQL server under /usr/lib/postgresql"));
    } catch (IOException e) {
      throw new UncheckedIOException("no PostgreSQL server installed (/usr/lib/postgresql)", e);
    }
  }

  private static double versionNumber(String version) {
    try {
      return Double.parseDouble(version);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void awaitAcceptingConnections(Cluster cluster) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Exec.Result last = null;
    while (System.nanoTime() < deadline) {
      if (Ports.isListening(HOST, cluster.port())) {
        last = psqlAsSuperuserResult("SELECT 1");
        if (last.ok()) {
          return;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL cluster "
            + cluster
            + " does not accept connections on "
            + HOST
            + ":"
            + cluster.port()
            + " within "
            + READY_TIMEOUT.toSeconds()
            + " s"
            + (last == null
                ? " (port closed: is listen_addresses 'localhost'?)"
                : ":\n" + last.output())
            + "\nlast lines of "
            + cluster.logFile()
            + ":\n"
            + Exec.tail(Path.of(cluster.logFile()), 20));
  }

  /**
   * Checks that {@value #USER} logs in with its password over TCP; if pg_hba.conf refuses, puts a
   * {@code scram-sha-256} rule for it on 127.0.0.1 first in the file and reloads.
   */
  private static void ensurePasswordLogin() {
    Exec.Result login = passwordLogin();
    if (login.ok()) {
      return;
    }
    Path hba = Path.of(psqlAsSuperuser("SHOW hba_file").strip());
    String rule = "host all " + USER + " 127.0.0.1/32 scram-sha-256";
    try {
      String current = Files.readString(hba, StandardCharsets.UTF_8);
      if (!current.contains(rule)) {
        LOG.log(System.Logger.Level.INFO, "adding \"{0}\" to {1}", rule, hba);
        Files.writeString(
            hba, "# added by VirtSaga devstack\n" + rule + "\n" + current, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "role " + USER + " cannot log in over TCP and " + hba + " cannot be updated", e);
    }
    psqlAsSuperuser("SELECT pg_reload_conf()");
    Exec.Result retried = passwordLogin();
    if (!retried.ok()) {
      throw new IllegalStateException(
          "role "
              + USER
              + " cannot log in to "
              + HOST
              + ":"
              + port
              + " with its password, even after adding \""
              + rule
              + "\" to "
              + hba
              + ":\n"
              + retried.output());
    }
  }

  private static Exec.Result passwordLogin() {
    return Exec.run(
        List.of(
            "psql",
            "-X",
            "-q",
            "-tA",
            "-h",
            HOST,
            "-p",
            String.valueOf(port),
            "-U",
            USER,
            "-d",
            "postgres",
            "-c",
            "SELECT 1"),
        Map.of("PGPASSWORD", PASSWORD, "PGCONNECT_TIMEOUT", "5"),
        PSQL_TIMEOUT);
  }

  // ---- psql as the postgres OS user ---------------------------------------------------------

  private static String psqlAsSuperuser(String sql) {
    Exec.Result result = psqlAsSuperuserResult(sql);
    if (!result.ok()) {
      throw new IllegalStateException("psql failed: " + sql + "\n" + result.output());
    }
    return result.output();
  }

  private static Exec.Result psqlAsSuperuserResult(String sql) {
    List<String> command = new ArrayList<>(asPostgresUser());
    command.addAll(
        List.of(
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-tA",
            "-p",
            String.valueOf(port),
            "-d",
            "postgres",
            "-c",
            sql));
    return Exec.run(command, Map.of(), PSQL_TIMEOUT);
  }

  private static List<String> asPostgresUser() {
    String user = System.getProperty("user.name");
    if ("postgres".equals(user)) {
      return List.of();
    }
    if (isRoot()) {
      return Exec.onPath("runuser")
          ? List.of("runuser", "-u", "postgres", "--")
          : List.of("su", "postgres", "-s", "/bin/sh", "-c", "exec \"$0\" \"$@\"");
    }
    return List.of("sudo", "-n", "-u", "postgres", "--");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
