package dev.virtsaga.devstack.vcsim;

import dev.virtsaga.devstack.Exec;
import dev.virtsaga.devstack.Ports;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A simulated vCenter: govmomi's vcsim ({@code simulator.VPX()} model, vim25 SOAP on {@code /sdk})
 * run as a child process on 127.0.0.1 with a {@link VcsimInventory}. The binary is built offline on
 * first use ({@link VcsimBinary}).
 *
 * <p><b>TLS:</b> vcsim serves HTTPS with a self-signed certificate (Go's httptest localhost
 * certificate), so clients must skip certificate checks for it — loopback only; {@link
 * #insecureSslContext()} is such a context.
 *
 * <pre>{@code
 * try (Vcsim vcsim = new Vcsim(VcsimInventory.defaults()).start()) {
 *   URI sdk = vcsim.sdkUrl();              // https://127.0.0.1:<port>/sdk
 *   login(vcsim.username(), vcsim.password());
 *   vcsim.kill(); vcsim.start();           // a crash and a restart on the same port: sessions lost
 * }
 * }</pre>
 *
 * <p>The process is stopped with SIGTERM ({@link #stop()}) or SIGKILL ({@link #kill()}); it also
 * exits when this JVM dies (its stdin, a pipe we never write to, reaches end-of-file). A restart
 * serves a fresh inventory: everything created through the API before is gone.
 */
public final class Vcsim implements AutoCloseable {

  /** Default user name; vcsim accepts only the configured user and password. */
  public static final String DEFAULT_USERNAME = "user";

  /** Default password. */
  public static final String DEFAULT_PASSWORD = "pass";

  /** How long {@link #start()} waits for the URL line. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String URL_PREFIX = "VCSIM_URL=";
  private static final String TEMPLATE_PREFIX = "VCSIM_TEMPLATE=";

  private final VcsimInventory inventory;
  private final String username;
  private final String password;
  private final Path logFile;
  private final Map<String, Duration> methodDelays = new LinkedHashMap<>();
  private Duration sessionIdleTimeout = Duration.ZERO;
  private int port;
  private volatile Process process;
  private URI sdkUrl;
  private String templatePath = "";

  /** A simulator with the default user and password, logging to a temp file. */
  public Vcsim(VcsimInventory inventory) {
    this(inventory, DEFAULT_USERNAME, DEFAULT_PASSWORD, null);
  }

  /**
   * @param logFile where vcsim's output goes (appended); {@code null} for {@code
   *     ${java.io.tmpdir}/virtsaga-vcsim-<random>.log}
   */
  public Vcsim(VcsimInventory inventory, String username, String password, Path logFile) {
    this.inventory = Objects.requireNonNull(inventory, "inventory");
    this.username = Objects.requireNonNull(username, "username");
    this.password = Objects.requireNonNull(password, "password");
    this.logFile = logFile != null ? logFile : defaultLogFile();
  }

  /**
   * Sessions idle this long are dropped (the next call answers {@code NotAuthenticated}); zero, the
   * default, keeps them. Takes effect at the next {@link #start()}.
   */
  public synchronized Vcsim sessionIdleTimeout(Duration timeout) {
    this.sessionIdleTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Delays every call of one SOAP method (e.g. {@code "CloneVM_Task"}) by {@code delay} before it
   * runs, to provoke client timeouts. Takes effect at the next {@link #start()}.
   */
  public synchronized Vcsim methodDelay(String method, Duration delay) {
    methodDelays.put(Objects.requireNonNull(method, "method"), delay);
    return this;
  }

  /** Starts on a free port (or, after a stop, on the port it had before). */
  public Vcsim start() {
    return start(port);
  }

  /**
   * Builds vcsim if needed, starts it on {@code 127.0.0.1:port} (0: a free port) and waits until it
   * prints its URL.
   *
   * @throws IllegalStateException if it is running, exits early or is not ready in {@link
   *     #START_TIMEOUT}
   */
  public synchronized Vcsim start(int port) {
    if (isAlive()) {
      throw new IllegalStateException("vcsim is already running (pid " + process.pid() + ")");
    }
    Path binary = VcsimBinary.ensureBuilt();
    this.port = port > 0 ? port : Ports.free();
    List<String> command = new ArrayList<>(Exec.newSessionPrefix());
    command.add(binary.toString());
    command.add("-bind=127.0.0.1");
    command.add("-port=" + this.port);
    command.add("-username=" + username);
    command.add("-password=" + password);
    command.addAll(inventory.flags());
    command.add("-session-idle-timeout=" + sessionIdleTimeout.toMillis() + "ms");
    methodDelays.forEach(
        (method, delay) -> command.add("-method-delay=" + method + "=" + delay.toMillis()));
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      Files.writeString(
          logFile,
          "==== devstack: starting vcsim at " + Instant.now() + " ====\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      long offset = Files.size(logFile);
      // stdin stays a pipe we never write to: its end-of-file tells vcsim this JVM is gone
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      awaitUrl(offset);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start vcsim: " + String.join(" ", command), e);
    }
  }

  /** SIGTERM, SIGKILL after 10 s; returns once it has exited. Nothing happens if not running. */
  public synchronized void stop() {
    Process p = process;
    if (p != null && p.isAlive()) {
      Exec.destroyTree(p, STOP_GRACE);
    }
    closeStdin(p);
  }

  /** SIGKILL, as a crash would; returns once it has exited. */
  public synchronized void kill() {
    Process p = process;
    if (p != null && p.isAlive()) {
      Exec.killTree(p);
    }
    closeStdin(p);
  }

  @Override
  public void close() {
    stop();
  }

  /** Whether the process is running. */
  public boolean isAlive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** {@code https://127.0.0.1:<port>/sdk}, without credentials. */
  public URI sdkUrl() {
    if (sdkUrl == null) {
      throw new IllegalStateException("vcsim was never started");
    }
    return sdkUrl;
  }

  /** The only user name {@code SessionManager.Login} accepts. */
  public String username() {
    return username;
  }

  /** The only password {@code SessionManager.Login} accepts. */
  public String password() {
    return password;
  }

  /** The port it listens (or last listened) on; 0 before the first start. */
  public int port() {
    return port;
  }

  /**
   * Inventory path of the template VM as vcsim reported it (e.g. {@code /DC0/vm/template-small}).
   */
  public String templatePath() {
    return templatePath;
  }

  public VcsimInventory inventory() {
    return inventory;
  }

  public Path logFile() {
    return logFile;
  }

  /**
   * Always true: vcsim's certificate is self-signed, so a client must not verify it (nor the host
   * name). Use {@link #insecureSslContext()} — for this loopback simulator only, never for a real
   * vCenter.
   */
  public boolean selfSignedCertificate() {
    return true;
  }

  /** An {@link SSLContext} that trusts any server certificate, for vcsim on loopback only. */
  public static SSLContext insecureSslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAll()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create a TLS context", e);
    }
  }

  @Override
  public String toString() {
    return "Vcsim[" + (isAlive() ? sdkUrl + ", pid " + process.pid() : "not running") + "]";
  }

  /**
   * Runs vcsim until Ctrl-C / SIGTERM. Options: {@code --port N} (default 8989, 0 = free), {@code
   * --username U}, {@code --password P}, {@code --dc N}, {@code --cluster N}, {@code --host N} (per
   * cluster), {@code --standalone-host N}, {@code --ds N}, {@code --vm N}, {@code --template NAME}
   * (empty: none).
   */
  public static void main(String[] args) throws InterruptedException {
    VcsimInventory defaults = VcsimInventory.defaults();
    int port = 8989;
    String user = DEFAULT_USERNAME;
    String pass = DEFAULT_PASSWORD;
    int dc = defaults.datacenters();
    int clusters = defaults.clusters();
    int hosts = defaults.hostsPerCluster();
    int standalone = defaults.standaloneHosts();
    int ds = defaults.datastores();
    int vms = defaults.vms();
    String template = defaults.template();
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + option);
      }
      String value = args[++i];
      switch (option) {
        case "--port" -> port = Integer.parseInt(value);
        case "--username" -> user = value;
        case "--password" -> pass = value;
        case "--dc" -> dc = Integer.parseInt(value);
        case "--cluster" -> clusters = Integer.parseInt(value);
        case "--host" -> hosts = Integer.parseInt(value);
        case "--standalone-host" -> standalone = Integer.parseInt(value);
        case "--ds" -> ds = Integer.parseInt(value);
        case "--vm" -> vms = Integer.parseInt(value);
        case "--template" -> template = value;
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    VcsimInventory inventory =
        new VcsimInventory(
            dc,
            clusters,
            hosts,
            standalone,
            ds,
            vms,
            true,
            template,
            defaults.templateCpus(),
            defaults.templateMemoryMb());
    Vcsim vcsim = new Vcsim(inventory, user, pass, null).start(port);
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.set(true);
                  vcsim.stop();
                },
                "vcsim-stop"));
    System.out.println(
        "vcsim listening on "
            + vcsim.sdkUrl()
            + " (user "
            + user
            + ", self-signed TLS), template "
            + (vcsim.templatePath().isEmpty() ? "none" : vcsim.templatePath())
            + ", log "
            + vcsim.logFile());
    vcsim.process.onExit().join();
    if (!stopping.get()) {
      System.err.println("vcsim exited; last lines of " + vcsim.logFile() + ":");
      System.err.println(Exec.tail(vcsim.logFile(), 20));
      System.exit(1);
    }
  }

  private void awaitUrl(long offset) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      String url = null;
      String template = "";
      for (String line : newOutput(offset)) {
        if (line.startsWith(URL_PREFIX)) {
          url = line.substring(URL_PREFIX.length()).trim();
        } else if (line.startsWith(TEMPLATE_PREFIX)) {
          template = line.substring(TEMPLATE_PREFIX.length()).trim();
        }
      }
      if (url != null) {
        URI withUser = URI.create(url);
        sdkUrl =
            URI.create(
                withUser.getScheme()
                    + "://"
                    + withUser.getHost()
                    + ":"
                    + withUser.getPort()
                    + withUser.getPath());
        templatePath = template.isEmpty() ? inventory.templatePath() : template;
        return;
      }
      Process p = process;
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "vcsim exited with code "
                + p.exitValue()
                + " before it was ready; last lines of "
                + logFile
                + ":\n"
                + Exec.tail(logFile, 30));
      }
      if (System.nanoTime() > deadline) {
        Exec.destroyTree(p, Duration.ofSeconds(2));
        throw new IllegalStateException(
            "vcsim not ready within "
                + START_TIMEOUT.toSeconds()
                + " s; last lines of "
                + logFile
                + ":\n"
                + Exec.tail(logFile, 30));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Exec.destroyTree(p, Duration.ofSeconds(2));
        throw new IllegalStateException("interrupted while starting vcsim", e);
      }
    }
  }

  /** The complete lines written to the log since {@code offset}. */
  private List<String> newOutput(long offset) {
    try {
      byte[] all = Files.readAllBytes(logFile);
      if (all.length <= offset) {
        return List.of();
      }
      String text =
          new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      return end < 0 ? List.of() : text.substring(0, end).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + logFile, e);
    }
  }

  private static void closeStdin(Process p) {
    if (p == null) {
      return;
    }
    try (OutputStream stdin = p.getOutputStream()) {
      // closing is the point
    } catch (IOException ignored) {
      // already closed with the process
    }
  }

  private static Path defaultLogFile() {
    try {
      return Files.createTempFile("virtsaga-vcsim-", ".log");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a log file for vcsim", e);
    }
  }

  /** Trusts every server: vcsim's certificate is self-signed. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
