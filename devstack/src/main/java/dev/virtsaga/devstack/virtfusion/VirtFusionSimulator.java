package dev.virtsaga.devstack.virtfusion;

import dev.virtsaga.devstack.virtfusion.Faults.Fault;
import dev.virtsaga.devstack.virtfusion.Json.Paging;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A VirtFusion control server on 127.0.0.1, following the real API (see
 * shared/reference/virtfusion-api.md and devstack/README.md): bearer token, {@code /api/v1}, {@code
 * data} envelope, Laravel pagination, hypervisors and groups, packages and templates, users by
 * external relation id, SSH keys, servers with allocate → build → queue → running, power, suspend,
 * delayed delete and modify. In-memory and thread-safe; with fault injection, latency, a rate limit
 * and a request log for tests.
 *
 * <pre>{@code
 * try (VirtFusionSimulator sim = new VirtFusionSimulator("token")) {
 *   String baseUrl = sim.start();                 // http://127.0.0.1:<port>/api/v1
 *   long userId = sim.addUser(42);                // GET /users/42/byExtRelation finds it
 *   sim.buildDuration(Duration.ofMillis(200));
 *   sim.faults().seed(1).rate(Fault.SERVICE_UNAVAILABLE, 0.2);
 *   ... drive the client ...
 *   assertThat(sim.requestLog().peak(Duration.ofSeconds(1))).isLessThanOrEqualTo(10);
 * }
 * }</pre>
 *
 * <p>Standalone: {@code java -cp devstack/target/classes:$(cat devstack/target/runtime.classpath)
 * dev.virtsaga.devstack.virtfusion.VirtFusionSimulator --port 18443 --token secret} ({@code --help}
 * lists the options).
 */
public final class VirtFusionSimulator implements AutoCloseable {

  /** The token of {@link #VirtFusionSimulator()}. */
  public static final String DEFAULT_TOKEN = "virtfusion-simulator-token";

  /** The port {@link #main} listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 18443;

  /** The API's path prefix. */
  public static final String API_PATH = "/api/v1";

  private static final System.Logger LOG = System.getLogger(VirtFusionSimulator.class.getName());
  private static final String ARRIVED = "virtfusion.arrived";
  private static final String STARTED = "virtfusion.started";
  private static final String FAULT = "virtfusion.fault";

  /** The options of {@link #main}. */
  private static final List<String> OPTIONS =
      List.of(
          "--port",
          "--token",
          "--user",
          "--build-seconds",
          "--power-seconds",
          "--seed",
          "--fault-429",
          "--fault-500",
          "--fault-503",
          "--fault-drop",
          "--fault-lost",
          "--latency-ms",
          "--rate-limit");

  private final byte[] token;
  private final String tokenText;
  private final SimulatorState state;
  private final Faults faults = new Faults();
  private final RequestLog requestLog = new RequestLog();
  private Vertx vertx;
  private HttpServer server;
  private volatile String origin;

  /** A simulator with {@link #DEFAULT_TOKEN} and {@link Inventory#defaults()}. */
  public VirtFusionSimulator() {
    this(DEFAULT_TOKEN);
  }

  /** A simulator accepting {@code Authorization: Bearer <token>}, with the default inventory. */
  public VirtFusionSimulator(String token) {
    this(token, Inventory.defaults());
  }

  public VirtFusionSimulator(String token, Inventory inventory) {
    if (Objects.requireNonNull(token).isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    this.tokenText = token;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.state = new SimulatorState(inventory, Clock.systemUTC());
  }

  // ---- lifecycle -------------------------------------------------------------------------------

  /**
   * Listens on a free port of 127.0.0.1; returns the base URL, {@code
   * http://127.0.0.1:<port>/api/v1}.
   */
  public String start() {
    return start(0);
  }

  /** Listens on {@code 127.0.0.1:port} (0: a free one); returns the base URL. */
  public synchronized String start(int port) {
    if (vertx != null) {
      throw new IllegalStateException("already started on " + baseUrl());
    }
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(2)
                .setFileSystemOptions(
                    new FileSystemOptions()
                        .setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
    try {
      server =
          vertx
              .createHttpServer(
                  new HttpServerOptions()
                      .setHost("127.0.0.1")
                      .setPort(port)
                      // plain HTTP/1.1 like the real API behind its web server: a dropped
                      // connection is one request's, never a multiplexed h2c stream's
                      .setHttp2ClearTextEnabled(false))
              .requestHandler(router())
              .listen()
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      closeVertx();
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeVertx();
      throw new IllegalStateException("interrupted while starting", e);
    }
    origin = "http://127.0.0.1:" + server.actualPort();
    return baseUrl();
  }

  /** The port listened on. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/api/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + API_PATH;
  }

  /** The accepted bearer token. */
  public String token() {
    return tokenText;
  }

  /** Stops listening. Idempotent. */
  @Override
  public synchronized void close() {
    closeVertx();
  }

  private void closeVertx() {
    if (vertx == null) {
      return;
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.log(System.Logger.Level.WARNING, "VirtFusion simulator did not close cleanly", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      vertx = null;
      server = null;
    }
  }

  // ---- knobs and views for tests ---------------------------------------------------------------

  /** Fault injection, latency and the rate limit; change them any time. */
  public Faults faults() {
    return faults;
  }

  /** Every request received so far. */
  public RequestLog requestLog() {
    return requestLog;
  }

  /** The inventory served. */
  public Inventory inventory() {
    return state.inventory();
  }

  /**
   * How long a build takes from {@code POST /servers/{id}/build} to {@code finished} (default 2 s).
   */
  public VirtFusionSimulator buildDuration(Duration duration) {
    state.buildDuration(duration);
    return this;
  }

  /** How long a power action's queue item takes (default 500 ms). */
  public VirtFusionSimulator powerDuration(Duration duration) {
    state.powerDuration(duration);
    return this;
  }

  /** How long a "minute" of {@code DELETE /servers/{id}?delay=<minutes>} lasts (default 1 min). */
  public VirtFusionSimulator delayMinute(Duration duration) {
    state.delayMinute(duration);
    return this;
  }

  /**
   * The next {@code count} builds fail: their queue item finishes with {@code failed: true} and an
   * error, the server keeps its previous state and gets {@code buildFailed: true}.
   */
  public VirtFusionSimulator failNextBuilds(int count) {
    state.failNextBuilds(count);
    return this;
  }

  /**
   * Adds a user with this external relation id (what {@code GET /users/{id}/byExtRelation} looks
   * up); returns its VirtFusion user id.
   */
  public long addUser(long extRelationId) {
    return addUser(
        extRelationId, "User " + extRelationId, "user" + extRelationId + "@example.test");
  }

  public long addUser(long extRelationId, String name, String email) {
    return state.addUser(extRelationId, null, name, email);
  }

  /** Adds a user found by {@code GET /users/{relStr}/byExtRelation?relStr=true}. */
  public long addUserWithRelStr(String relStr) {
    return state.addUser(null, relStr, "User " + relStr, relStr + "@example.test");
  }

  /** All servers (including those with a delayed delete pending), in id order. */
  public List<SimServer> servers() {
    return state.snapshot();
  }

  public Optional<SimServer> server(long id) {
    return state.snapshot(id);
  }

  /** How many servers are in each {@code state} ({@code created}, {@code building}, ...). */
  public Map<String, Integer> serverCountsByState() {
    return state.countsByState();
  }

  /** Forgets users, keys, servers and queue items, clears the faults and the request log. */
  public void reset() {
    state.reset();
    faults.clear();
    requestLog.clear();
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  /** An answer: status, JSON body or {@code null} for none, extra headers. */
  private record Reply(int status, JsonObject body, Map<String, String> headers) {
    static Reply of(int status, JsonObject body) {
      return new Reply(status, body, Map.of());
    }
  }

  private Router router() {
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create(false).setBodyLimit(1 << 20));
    r.route(API_PATH + "/*").handler(this::intercept);

    get(r, "/connect", ctx -> ok(Json.data(new JsonObject().put("connected", true))));

    get(r, "/compute/hypervisors", ctx -> ok(state.hypervisors(paging(ctx), here(ctx))));
    get(r, "/compute/hypervisors/groups", ctx -> ok(state.groups(paging(ctx), here(ctx))));
    get(
        r,
        "/compute/hypervisors/groups/:id",
        ctx -> ok(state.group(intId(ctx, "hypervisor group"))));
    get(
        r,
        "/compute/hypervisors/groups/:id/resources",
        ctx -> ok(state.groupResources(intId(ctx, "hypervisor group"), paging(ctx), here(ctx))));
    get(r, "/compute/hypervisors/:id", ctx -> ok(state.hypervisor(intId(ctx, "hypervisor"))));

    get(r, "/packages", ctx -> ok(state.packages()));
    get(r, "/packages/:id", ctx -> ok(state.serverPackage(intId(ctx, "package"))));
    get(
        r,
        "/media/templates/fromServerPackageSpec/:id",
        ctx -> ok(state.templatesOfPackage(intId(ctx, "package"))));

    post(r, "/users", ctx -> Reply.of(201, state.createUser(body(ctx))));
    get(
        r,
        "/users/:ext/byExtRelation",
        ctx ->
            ok(
                state.userByExtRelation(
                    ctx.pathParam("ext"), "true".equalsIgnoreCase(query(ctx, "relStr")))));

    post(r, "/ssh_keys", ctx -> Reply.of(201, state.addSshKey(body(ctx))));
    get(r, "/ssh_keys/user/:id", ctx -> ok(state.sshKeysOfUser(id(ctx, "user"))));
    get(r, "/ssh_keys/:id", ctx -> ok(state.sshKey(id(ctx, "ssh key"))));
    route(
        r,
        HttpMethod.DELETE,
        "/ssh_keys/:id",
        ctx -> {
          state.deleteSshKey(id(ctx, "ssh key"));
          return Reply.of(204, null);
        });

    post(
        r,
        "/servers",
        ctx -> {
          boolean dryRun = "true".equalsIgnoreCase(query(ctx, "dryRun"));
          return Reply.of(dryRun ? 200 : 201, state.createServer(body(ctx), dryRun));
        });
    get(
        r,
        "/servers",
        ctx -> {
          List<String> hypervisorIds = new ArrayList<>(ctx.queryParam("hypervisorId"));
          hypervisorIds.addAll(ctx.queryParam("hypervisorId[]"));
          return ok(state.servers(paging(ctx), here(ctx), query(ctx, "type"), hypervisorIds));
        });
    get(r, "/servers/user/:id", ctx -> ok(state.serversOfUser(id(ctx, "user"))));
    get(r, "/servers/:id", ctx -> ok(state.server(id(ctx, "server"))));
    route(
        r,
        HttpMethod.DELETE,
        "/servers/:id",
        ctx -> {
          state.delete(id(ctx, "server"), query(ctx, "delay"));
          return Reply.of(204, null);
        });
    post(r, "/servers/:id/build", ctx -> ok(state.build(id(ctx, "server"), body(ctx))));
    post(
        r,
        "/servers/:id/power/:action",
        ctx -> {
          long queueId = state.power(id(ctx, "server"), ctx.pathParam("action"));
          return ok(Json.data(new JsonObject().put("queueId", queueId)));
        });
    post(
        r,
        "/servers/:id/suspend",
        ctx -> {
          state.suspend(id(ctx, "server"));
          return Reply.of(204, null);
        });
    post(
        r,
        "/servers/:id/unsuspend",
        ctx -> {
          state.unsuspend(id(ctx, "server"));
          return Reply.of(204, null);
        });
    route(
        r,
        HttpMethod.PUT,
        "/servers/:id/modify/cpuCores",
        ctx -> {
          state.modifyCpuCores(id(ctx, "server"), body(ctx));
          return Reply.of(201, null);
        });
    route(
        r,
        HttpMethod.PUT,
        "/servers/:id/modify/memory",
        ctx -> {
          state.modifyMemory(id(ctx, "server"), body(ctx));
          return Reply.of(201, null);
        });
    route(
        r,
        HttpMethod.PUT,
        "/servers/:id/modify/name",
        ctx -> {
          state.modifyName(id(ctx, "server"), body(ctx));
          return Reply.of(201, null);
        });
    get(r, "/servers/:id/templates", ctx -> ok(state.templatesOfServer(id(ctx, "server"))));

    get(r, "/queue/:id", ctx -> ok(state.queueItem(id(ctx, "queue item"))));

    r.route().handler(ctx -> send(ctx, Reply.of(404, new JsonObject().put("msg", "not found"))));
    return r;
  }

  /** Latency, injected faults, bearer auth and the rate limit, in that order. */
  private void intercept(RoutingContext ctx) {
    ctx.put(ARRIVED, Instant.now());
    ctx.put(STARTED, System.nanoTime());
    Faults.Decision decision = faults.decide(ctx.request().method().name(), ctx.request().path());
    if (decision.fault() != null) {
      ctx.put(FAULT, decision.fault());
    }
    long delayMillis = decision.delay().toMillis();
    if (delayMillis > 0) {
      vertx.setTimer(delayMillis, t -> admit(ctx, decision.fault()));
    } else {
      admit(ctx, decision.fault());
    }
  }

  private void admit(RoutingContext ctx, Fault fault) {
    if (fault == Fault.DROP_CONNECTION) {
      drop(ctx, 0);
      return;
    }
    if (fault != null && fault.status() != 0) {
      send(ctx, faultReply(fault));
      return;
    }
    if (!authorized(ctx.request().getHeader("Authorization"))) {
      send(ctx, Reply.of(401, null));
      return;
    }
    Long retryAfter = faults.admit(System.nanoTime());
    if (retryAfter != null) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Retry-After", String.valueOf(retryAfter));
      headers.put("X-RateLimit-Limit", String.valueOf(faults.limit()));
      headers.put("X-RateLimit-Remaining", "0");
      send(ctx, new Reply(429, new JsonObject().put("message", "Too Many Attempts."), headers));
      return;
    }
    ctx.next();
  }

  private Reply faultReply(Fault fault) {
    return switch (fault) {
      case TOO_MANY_REQUESTS -> {
        Long seconds = faults.retryAfterSeconds();
        yield new Reply(
            429,
            new JsonObject().put("message", "Too Many Attempts."),
            seconds == null ? Map.of() : Map.of("Retry-After", String.valueOf(seconds)));
      }
      case INTERNAL_SERVER_ERROR -> Reply.of(500, new JsonObject().put("message", "Server Error"));
      case SERVICE_UNAVAILABLE ->
          Reply.of(503, new JsonObject().put("message", "Service Unavailable"));
      default -> throw new IllegalArgumentException("no answer for " + fault);
    };
  }

  private boolean authorized(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token);
  }

  private void get(Router r, String path, Function<RoutingContext, Reply> handler) {
    route(r, HttpMethod.GET, path, handler);
  }

  private void post(Router r, String path, Function<RoutingContext, Reply> handler) {
    route(r, HttpMethod.POST, path, handler);
  }

  private void route(
      Router r, HttpMethod method, String path, Function<RoutingContext, Reply> handler) {
    r.route(method, API_PATH + path)
        .handler(
            ctx -> {
              Reply reply;
              try {
                reply = handler.apply(ctx);
              } catch (ApiError e) {
                reply = Reply.of(e.status(), e.body());
              } catch (RuntimeException e) {
                LOG.log(
                    System.Logger.Level.ERROR,
                    "VirtFusion simulator failed on "
                        + ctx.request().method()
                        + " "
                        + ctx.request().path(),
                    e);
                reply = Reply.of(500, new JsonObject().put("message", "Server Error"));
              }
              send(ctx, reply);
            });
  }

  private void send(RoutingContext ctx, Reply reply) {
    Fault fault = ctx.get(FAULT);
    if (fault == Fault.LOST_RESPONSE) {
      drop(ctx, reply.status());
      return;
    }
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    log(ctx, reply.status(), fault);
    response.setStatusCode(reply.status());
    reply.headers().forEach(response::putHeader);
    if (reply.body() == null) {
      response.end();
    } else {
      response.putHeader("Content-Type", "application/json").end(reply.body().encode());
    }
  }

  private void drop(RoutingContext ctx, int status) {
    log(ctx, status, ctx.get(FAULT));
    ctx.request().connection().close();
  }

  private void log(RoutingContext ctx, int status, Fault fault) {
    Instant arrived = ctx.get(ARRIVED);
    Long started = ctx.get(STARTED);
    String query = ctx.request().query();
    requestLog.add(
        new RequestLog.Entry(
            arrived == null ? Instant.now() : arrived,
            ctx.request().method().name(),
            ctx.request().path(),
            query == null ? "" : query,
            status,
            fault,
            started == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started)));
  }

  private static Reply ok(JsonObject body) {
    return Reply.of(200, body);
  }

  private String here(RoutingContext ctx) {
    return origin + ctx.request().path();
  }

  private static String query(RoutingContext ctx, String name) {
    List<String> values = ctx.queryParam(name);
    return values.isEmpty() ? null : values.get(0);
  }

  private static Paging paging(RoutingContext ctx) {
    return Paging.of(query(ctx, "results"), query(ctx, "page"));
  }

  private static long id(RoutingContext ctx, String what) {
    Long id = Json.parseInteger(ctx.pathParam("id"));
    if (id == null || id < 1) {
      throw ApiError.notFound(what);
    }
    return id;
  }

  private static int intId(RoutingContext ctx, String what) {
    long id = id(ctx, what);
    if (id > Integer.MAX_VALUE) {
      throw ApiError.notFound(what);
    }
    return (int) id;
  }

  /** The JSON object body; an absent or unreadable body counts as {@code {}} (as in Laravel). */
  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      return body == null ? new JsonObject() : body;
    } catch (RuntimeException e) {
      return new JsonObject();
    }
  }

  // ---- standalone ------------------------------------------------------------------------------

  /**
   * Runs the simulator until the process is stopped. Options: {@code --port N} (default {@value
   * #DEFAULT_PORT}; 0 = any free port), {@code --token T} (default {@code $VIRTFUSION_API_TOKEN},
   * else {@value #DEFAULT_TOKEN}), {@code --user EXT_ID} (repeatable: users to seed), {@code
   * --build-seconds S}, {@code --power-seconds S}, {@code --seed N}, {@code --fault-429 F}, {@code
   * --fault-500 F}, {@code --fault-503 F}, {@code --fault-drop F}, {@code --fault-lost F}
   * (fractions 0..1), {@code --latency-ms MIN[-MAX]}, {@code --rate-limit N/SECONDS}.
   */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> options = new LinkedHashMap<>();
    List<Long> users = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage());
        return;
      }
      if (!OPTIONS.contains(arg) || i + 1 >= args.length) {
        throw new IllegalArgumentException("bad option " + arg + "\n" + usage());
      }
      String value = args[++i];
      if (arg.equals("--user")) {
        users.add(Long.parseLong(value));
      } else {
        options.put(arg, value);
      }
    }
    String token =
        options.getOrDefault(
            "--token", System.getenv().getOrDefault("VIRTFUSION_API_TOKEN", DEFAULT_TOKEN));
    VirtFusionSimulator sim = new VirtFusionSimulator(token);
    options.forEach((option, value) -> configure(sim, option, value));
    StringBuilder seeded = new StringBuilder();
    for (long ext : users) {
      seeded.append(' ').append(ext).append("->").append(sim.addUser(ext));
    }
    String baseUrl =
        sim.start(Integer.parseInt(options.getOrDefault("--port", String.valueOf(DEFAULT_PORT))));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  stopped.countDown();
                },
                "virtfusion-simulator-stop"));
    System.out.println(
        "VirtFusion simulator listening on "
            + baseUrl
            + (users.isEmpty() ? "" : " (users extRelationId->id:" + seeded + ")"));
    stopped.await();
  }

  private static void configure(VirtFusionSimulator sim, String option, String value) {
    Faults faults = sim.faults();
    switch (option) {
      case "--build-seconds" -> sim.buildDuration(seconds(value));
      case "--power-seconds" -> sim.powerDuration(seconds(value));
      case "--seed" -> faults.seed(Long.parseLong(value));
      case "--fault-429" -> faults.rate(Fault.TOO_MANY_REQUESTS, Double.parseDouble(value));
      case "--fault-500" -> faults.rate(Fault.INTERNAL_SERVER_ERROR, Double.parseDouble(value));
      case "--fault-503" -> faults.rate(Fault.SERVICE_UNAVAILABLE, Double.parseDouble(value));
      case "--fault-drop" -> faults.rate(Fault.DROP_CONNECTION, Double.parseDouble(value));
      case "--fault-lost" -> faults.rate(Fault.LOST_RESPONSE, Double.parseDouble(value));
      case "--latency-ms" -> {
        String[] range = value.split("-", 2);
        Duration min = Duration.ofMillis(Long.parseLong(range[0]));
        faults.latency(min, range.length == 2 ? Duration.ofMillis(Long.parseLong(range[1])) : min);
      }
      case "--rate-limit" -> {
        String[] limit = value.split("/", 2);
        faults.rateLimit(
            Integer.parseInt(limit[0]),
            limit.length == 2 ? seconds(limit[1]) : Duration.ofSeconds(1));
      }
      default -> {
        // --port and --token are used before the simulator exists
      }
    }
  }

  private static Duration seconds(String value) {
    return Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
  }

  private static String usage() {
    return """
        usage: VirtFusionSimulator [--port N] [--token T] [--user EXT_ID]... [--build-seconds S]
                                   [--power-seconds S] [--seed N] [--fault-429 F] [--fault-500 F]
                                   [--fault-503 F] [--fault-drop F] [--fault-lost F]
                                   [--latency-ms MIN[-MAX]] [--rate-limit N/SECONDS]
          --port        port on 127.0.0.1 (default 18443, 0 = any free port)
          --token       accepted bearer token (default $VIRTFUSION_API_TOKEN, else %s)
          --user        seed a user with this external relation id (repeatable)
          --fault-*     fraction 0..1 of requests answered 429 / 500 / 503, dropped, or carried
                        out with the answer lost
        """
        .formatted(DEFAULT_TOKEN);
  }
}
