package dev.virtsaga.devstack.virtfusion;

import dev.virtsaga.devstack.virtfusion.Inventory.Hypervisor;
import dev.virtsaga.devstack.virtfusion.Inventory.HypervisorGroup;
import dev.virtsaga.devstack.virtfusion.Inventory.NetworkProfile;
import dev.virtsaga.devstack.virtfusion.Inventory.ServerPackage;
import dev.virtsaga.devstack.virtfusion.Json.Paging;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The simulated control server's data and rules: users, SSH keys, servers, the task queue, IPv4
 * pools and hypervisor capacity. Thread-safe (every method holds the object's lock); no I/O.
 *
 * <p>Time moves on its own: queued tasks (builds, power actions) finish and delayed deletes take
 * effect when their time has come, applied lazily at the next call of any method, which is the same
 * thing from the outside.
 */
final class SimulatorState {

  static final String CREATED = "created";
  static final String BUILDING = "building";
  static final String RUNNING = "running";
  static final String STOPPED = "stopped";
  static final Set<String> POWER_ACTIONS = Set.of("boot", "shutdown", "restart", "poweroff");

  static final int COMMISSION_NONE = 0;
  static final int COMMISSION_BUILDING = 1;
  static final int COMMISSION_BUILT = 3;

  private static final long MAX_ID = Integer.MAX_VALUE;
  private static final int FIRST_HOST = 10;
  private static final int LAST_HOST = 254;
  private static final int MAX_DELAY_MINUTES = 43800;

  private final Inventory inventory;
  private final Clock clock;

  private Duration buildDuration = Duration.ofSeconds(2);
  private Duration powerDuration = Duration.ofMillis(500);
  private Duration delayMinute = Duration.ofMinutes(1);
  private int buildsToFail;

  private long nextUserId = 1;
  private long nextKeyId = 1;
  private long nextServerId = 101;
  private long nextQueueId = 1001;
  private long nextAddressId = 1;
  private final Map<Long, User> users = new TreeMap<>();
  private final Map<Long, SshKey> keys = new TreeMap<>();
  private final Map<Long, Server> servers = new TreeMap<>();
  private final Map<Long, QueueItem> queue = new TreeMap<>();
  private final Map<Integer, BitSet> usedHosts = new HashMap<>();
  private final ApiViews views;

  SimulatorState(Inventory inventory, Clock clock) {
    this.inventory = Objects.requireNonNull(inventory);
    this.clock = Objects.requireNonNull(clock);
    this.views = new ApiViews(inventory, clock, clock.instant(), users::get, keys::get, queue::get);
  }

  Inventory inventory() {
    return inventory;
  }

  // ---- knobs ---------------------------------------------------------------------------------

  synchronized void buildDuration(Duration duration) {
    buildDuration = nonNegative(duration);
  }

  synchronized void powerDuration(Duration duration) {
    powerDuration = nonNegative(duration);
  }

  synchronized void delayMinute(Duration duration) {
    delayMinute = nonNegative(duration);
  }

  synchronized void failNextBuilds(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0");
    }
    buildsToFail = count;
  }

  /** Forgets users, SSH keys, servers and tasks (ids keep counting up). */
  synchronized void reset() {
    users.clear();
    keys.clear();
    servers.clear();
    queue.clear();
    usedHosts.clear();
    buildsToFail = 0;
  }

  // ---- Java API for tests ----------------------------------------------------------------------

  synchronized long addUser(Long extRelationId, String relStr, String name, String email) {
    List<String> errors = new ArrayList<>();
    checkUserUnique(extRelationId, relStr, email, errors);
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(String.join(" ", errors));
    }
    return newUser(extRelationId, relStr, name, email).id;
  }

  synchronized List<SimServer> snapshot() {
    advance();
    return servers.values().stream().map(views::snapshotOf).toList();
  }

  synchronized Optional<SimServer> snapshot(long id) {
    advance();
    return Optional.ofNullable(servers.get(id)).map(views::snapshotOf);
  }

  synchronized Map<String, Integer> countsByState() {
    advance();
    Map<String, Integer> counts = new TreeMap<>();
    servers.values().forEach(s -> counts.merge(s.state, 1, Integer::sum));
    return counts;
  }

  // ---- users and SSH keys
  // ------------------------------------------------------------------------

  synchronized JsonObject userByExtRelation(String key, boolean byRelStr) {
    advance();
    Predicate<User> match;
    if (byRelStr) {
      match = u -> key.equals(u.relStr);
    } else {
      Long ext = Json.parseInteger(key);
      if (ext == null) {
        throw ApiError.notFound("user");
      }
      match = u -> ext.equals(u.extRelationId);
    }
    return users.values().stream()
        .filter(match)
        .findFirst()
        .map(u -> Json.data(views.userJson(u)))
        .orElseThrow(() -> ApiError.notFound("user"));
  }

  synchronized JsonObject createUser(JsonObject body) {
    advance();
    List<String> errors = new ArrayList<>();
    String name = Json.string(body, "name", true, 255, errors);
    String email = Json.string(body, "email", true, 255, errors);
    if (email != null && !email.matches("[^@\\s]+@[^@\\s]+")) {
      errors.add("The email must be a valid email address.");
    }
    Long ext = Json.integer(body, "extRelationId", false, 1, MAX_ID, errors);
    String relStr = Json.string(body, "relStr", false, 255, errors);
    if (errors.isEmpty()) {
      checkUserUnique(ext, relStr, email, errors);
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    return Json.data(views.userJson(newUser(ext, relStr, name, email)));
  }

  synchronized JsonObject addSshKey(JsonObject body) {
    advance();
    List<String> errors = new ArrayList<>();
    Long userId = Json.integer(body, "userId", true, 1, MAX_ID, errors);
    String name = Json.string(body, "name", true, 255, errors);
    String publicKey = Json.string(body, "publicKey", true, 16384, errors);
    if (userId != null && !users.containsKey(userId)) {
      errors.add("The selected user id is invalid.");
    }
    String type = publicKey == null ? null : keyType(publicKey);
    if (publicKey != null && type == null) {
      errors.add("The public key is invalid.");
    }
    if (errors.isEmpty()
        && keys.values().stream()
            .anyMatch(k -> k.userId == userId && k.publicKey.equals(publicKey.trim()))) {
      errors.add("The public key has already been added to this account.");
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    SshKey key = new SshKey();
    key.id = nextKeyId++;
    key.userId = userId;
    key.name = name;
    key.publicKey = publicKey.trim();
    key.type = type;
    key.created = clock.instant();
    keys.put(key.id, key);
    return Json.data(
        new JsonObject()
            .put("id", key.id)
            .put("name", key.name)
            .put("type", key.type)
            .put("createdAt", Json.time(key.created)));
  }

  synchronized JsonObject sshKeysOfUser(long userId) {
    advance();
    if (!users.containsKey(userId)) {
      throw ApiError.notFound("user");
    }
    JsonArray list = new JsonArray();
    keys.values().stream()
        .filter(k -> k.userId == userId)
        .forEach(k -> list.add(ApiViews.keyJson(k)));
    return Json.data(list);
  }

  synchronized JsonObject sshKey(long id) {
    advance();
    SshKey key = keys.get(id);
    if (key == null) {
      throw ApiError.notFound("ssh key");
    }
    return Json.data(ApiViews.keyJson(key));
  }

  synchronized void deleteSshKey(long id) {
    advance();
    if (keys.remove(id) == null) {
      throw ApiError.notFound("ssh key");
    }
  }

  // ---- inventory -------------------------------------------------------------------------------

  synchronized JsonObject hypervisors(Paging paging, String path) {
    advance();
    return Json.page(
        inventory.allHypervisors().stream().map(views::hypervisorJson).toList(), paging, path);
  }

  synchronized JsonObject hypervisor(int id) {
    advance();
    return inventory
        .hypervisor(id)
        .map(h -> Json.data(views.hypervisorJson(h)))
        .orElseThrow(() -> ApiError.notFound("hypervisor"));
  }

  synchronized JsonObject groups(Paging paging, String path) {
    advance();
    return Json.page(inventory.groups().stream().map(views::groupJson).toList(), paging, path);
  }

  synchronized JsonObject group(int id) {
    advance();
    return inventory
        .group(id)
        .map(g -> Json.data(views.groupJson(g)))
        .orElseThrow(() -> ApiError.notFound("hypervisor group"));
  }

  synchronized JsonObject groupResources(int id, Paging paging, String path) {
    advance();
    HypervisorGroup group =
        inventory.group(id).orElseThrow(() -> ApiError.notFound("hypervisor group"));
    List<JsonObject> items = new ArrayList<>();
    for (Hypervisor h : group.hypervisors()) {
      Usage used = usage(h.id());
      int freeIpv4 = group.networkProfiles().stream().mapToInt(p -> freeHosts(p.id())).sum();
      items.add(
          new JsonObject()
              .put(
                  "hypervisor",
                  new JsonObject()
                      .put("id", h.id())
                      .put("name", h.name())
                      .put("enabled", true)
                      .put("prohibit", false)
                      .put("accept", true)
                      .put("commissioned", true))
              .put(
                  "resources",
                  new JsonObject()
                      .put("servers", ApiViews.resource("count", h.maxServers(), used.servers()))
                      .put("memory", ApiViews.resource("MB", h.maxMemoryMb(), used.memory()))
                      .put("cpuCores", ApiViews.resource("cores", h.maxCpuCores(), used.cpuCores()))
                      .put(
                          "localStorage",
                          ApiViews.resource("GB", h.storageGb(), used.storage())
                              .put("enabled", 1)
                              .put("name", "Local")
                              .put("storageType", 1))
                      .put("otherStorage", new JsonArray())
                      .put(
                          "network",
                          new JsonObject()
                              .put(
                                  "total",
                                  new JsonObject()
                                      .put("ipv4", new JsonObject().put("free", freeIpv4))))));
    }
    return Json.page(items, paging, path);
  }

  synchronized JsonObject packages() {
    advance();
    JsonArray list = new JsonArray();
    inventory.packages().forEach(p -> list.add(views.packageJson(p)));
    return Json.data(list);
  }

  synchronized JsonObject serverPackage(int id) {
    advance();
    return inventory
        .serverPackage(id)
        .map(p -> Json.data(views.packageJson(p)))
        .orElseThrow(() -> ApiError.notFound("package"));
  }

  synchronized JsonObject templatesOfPackage(int packageId) {
    advance();
    ServerPackage pkg =
        inventory.serverPackage(packageId).orElseThrow(() -> ApiError.notFound("package"));
    return Json.data(views.templatesJson(pkg));
  }

  synchronized JsonObject templatesOfServer(long serverId) {
    advance();
    Server s = require(serverId);
    return Json.data(views.templatesJson(inventory.serverPackage(s.packageId).orElseThrow()));
  }

  // ---- servers ---------------------------------------------------------------------------------

  /**
   * {@code POST /servers}: validates, picks a hypervisor of the group with room, allocates IPv4
   * addresses; with {@code dryRun} only validates. Answers {@code {"data":{"dryRun":"success"}}} or
   * {@code {"data": server}}.
   */
  synchronized JsonObject createServer(JsonObject body, boolean dryRun) {
    advance();
    List<String> errors = new ArrayList<>();
    Long packageId = Json.integer(body, "packageId", true, 1, MAX_ID, errors);
    Long userId = Json.integer(body, "userId", true, 1, MAX_ID, errors);
    Long groupId = Json.integer(body, "hypervisorId", true, 1, MAX_ID, errors);
    Long ipv4 = Json.integer(body, "ipv4", false, 0, 64, errors);
    Long storage = Json.integer(body, "storage", false, 1, 1_000_000, errors);
    Long traffic = Json.integer(body, "traffic", false, 0, 999_999_999, errors);
    Long memory = Json.integer(body, "memory", false, 128, 4_194_304, errors);
    Long cpuCores = Json.integer(body, "cpuCores", false, 1, 600, errors);
    Json.integer(body, "networkSpeedInbound", false, 0, MAX_ID, errors);
    Json.integer(body, "networkSpeedOutbound", false, 0, MAX_ID, errors);
    Json.integer(body, "storageProfile", false, 1, MAX_ID, errors);
    Long profileId = Json.integer(body, "networkProfile", false, 1, MAX_ID, errors);
    List<Long> rulesets = Json.integers(body, "firewallRulesets", errors);
    Json.integers(body, "hypervisorAssetGroups", errors);

    ServerPackage pkg = null;
    if (packageId != null) {
      pkg = inventory.serverPackage(packageId.intValue()).orElse(null);
      if (pkg == null) {
        errors.add("The selected package id is invalid.");
      }
    }
    if (userId != null && !users.containsKey(userId)) {
      errors.add("The selected user id is invalid.");
    }
    HypervisorGroup group = null;
    if (groupId != null) {
      group = inventory.group(groupId.intValue()).orElse(null);
      if (group == null) {
        errors.add("The selected hypervisor id is invalid.");
      }
    }
    NetworkProfile profile = null;
    if (group != null) {
      profile = networkProfileFor(group, profileId, errors);
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }

    int mem = memory != null ? memory.intValue() : pkg.memoryMb();
    int cores = cpuCores != null ? cpuCores.intValue() : pkg.cpuCores();
    int disk = storage != null ? storage.intValue() : pkg.storageGb();
    int trafficGb = traffic != null ? traffic.intValue() : pkg.trafficGb();
    int addresses = ipv4 != null ? ipv4.intValue() : 1;
    Hypervisor hypervisor = placement(group, cores, mem, disk);
    if (hypervisor == null) {
      errors.add(
          "No hypervisor in group " + group.name() + " has enough free resources for this server.");
    }
    if (freeHosts(profile.id()) < addresses) {
      errors.add("Not enough free IPv4 addresses in network profile " + profile.name() + ".");
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    if (dryRun) {
      return Json.data(new JsonObject().put("dryRun", "success"));
    }

    Instant now = clock.instant();
    Server s = new Server();
    s.id = nextServerId++;
    s.uuid = UUID.randomUUID().toString();
    s.name = "vps-" + s.id;
    s.ownerId = userId;
    s.groupId = group.id();
    s.hypervisorId = hypervisor.id();
    s.packageId = pkg.id();
    s.memory = mem;
    s.cpuCores = cores;
    s.storage = disk;
    s.traffic = trafficGb;
    s.networkProfileId = profile.id();
    s.firewallRulesets = rulesets == null ? List.of() : List.copyOf(rulesets);
    s.created = now;
    s.updated = now;
    for (int i = 0; i < addresses; i++) {
      s.ipv4.add(allocateAddress(profile));
    }
    servers.put(s.id, s);
    return Json.data(views.serverJson(s));
  }

  /**
   * {@code POST /servers/{id}/build}: queues the OS install; answers the server record with the
   * build's {@code queueId} added.
   */
  synchronized JsonObject build(long id, JsonObject body) {
    advance();
    Server s = require(id);
    if (BUILDING.equals(s.state)) {
      throw ApiError.conflict("The server is already being built.");
    }
    if (s.suspended) {
      throw ApiError.conflict("The server is suspended.");
    }
    List<String> errors = new ArrayList<>();
    Long osId = Json.integer(body, "operatingSystemId", true, 1, MAX_ID, errors);
    String name = Json.string(body, "name", false, 255, errors);
    String hostname = Json.string(body, "hostname", false, 255, errors);
    List<Long> sshKeys = Json.integers(body, "sshKeys", errors);
    Boolean ipv6 = Json.bool(body, "ipv6", errors);
    Boolean vnc = Json.bool(body, "vnc", errors);
    Json.bool(body, "email", errors);
    Json.string(body, "timezone", false, 64, errors);
    if (osId != null
        && !inventory
            .serverPackage(s.packageId)
            .orElseThrow()
            .templateIds()
            .contains(osId.intValue())) {
      errors.add("The selected operating system id is invalid.");
    }
    if (sshKeys != null) {
      for (Long keyId : sshKeys) {
        SshKey key = keys.get(keyId);
        if (key == null || key.userId != s.ownerId) {
          errors.add("The selected ssh keys are invalid: " + keyId + " is not a key of the owner.");
        }
      }
    }
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    if (name != null) {
      s.name = name;
    }
    if (hostname != null) {
      s.hostname = hostname;
    }
    if (vnc != null) {
      s.vnc = vnc;
    }
    s.sshKeyIds = sshKeys == null ? List.of() : List.copyOf(sshKeys);
    QueueItem q = enqueue(s, "build", buildDuration);
    q.templateId = osId.intValue();
    q.ipv6 = Boolean.TRUE.equals(ipv6);
    q.stateBefore = s.state;
    q.commissionBefore = s.commissionStatus;
    if (buildsToFail > 0) {
      buildsToFail--;
      q.failBuild = true;
    }
    s.state = BUILDING;
    s.commissionStatus = COMMISSION_BUILDING;
    s.updated = clock.instant();
    return Json.data(views.serverJson(s).put("queueId", q.id));
  }

  /** {@code POST /servers/{id}/power/{action}}: queues the action, answers its queue id. */
  synchronized long power(long id, String action) {
    advance();
    Server s = require(id);
    if (!POWER_ACTIONS.contains(action)) {
      throw ApiError.notFound("action");
    }
    if (BUILDING.equals(s.state)) {
      throw ApiError.conflict("The server is being built.");
    }
    if (s.commissionStatus != COMMISSION_BUILT) {
      throw ApiError.conflict("The server has not been built.");
    }
    if (s.suspended) {
      throw ApiError.conflict("The server is suspended.");
    }
    return enqueue(s, action, powerDuration).id;
  }

  synchronized void suspend(long id) {
    advance();
    Server s = require(id);
    if (!s.suspended) {
      s.suspended = true;
      s.stateBeforeSuspend = s.state;
      if (RUNNING.equals(s.state)) {
        s.state = STOPPED;
      }
      s.updated = clock.instant();
    }
  }

  synchronized void unsuspend(long id) {
    advance();
    Server s = require(id);
    if (s.suspended) {
      s.suspended = false;
      if (RUNNING.equals(s.stateBeforeSuspend) && STOPPED.equals(s.state)) {
        s.state = RUNNING;
      }
      s.stateBeforeSuspend = null;
      s.updated = clock.instant();
    }
  }

  /** {@code DELETE /servers/{id}?delay=n}: now (0, the default) or after n minutes. */
  synchronized void delete(long id, String delay) {
    advance();
    Server s = require(id);
    long minutes = 0;
    if (delay != null && !delay.isBlank()) {
      Long n = Json.parseInteger(delay);
      if (n == null || n < 0 || n > MAX_DELAY_MINUTES) {
        throw ApiError.validation("The delay must be between 0 and " + MAX_DELAY_MINUTES + ".");
      }
      minutes = n;
    }
    if (minutes == 0) {
      remove(s);
    } else {
      s.deleteAt = clock.instant().plus(delayMinute.multipliedBy(minutes));
      s.updated = clock.instant();
    }
  }

  /** {@code PUT /servers/{id}/modify/cpuCores} with {@code {"cores": n}}. */
  synchronized void modifyCpuCores(long id, JsonObject body) {
    advance();
    Server s = require(id);
    List<String> errors = new ArrayList<>();
    Long cores = Json.integer(body, "cores", true, 1, 600, errors);
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    if (usage(h.id()).cpuCores() - s.cpuCores + cores > h.maxCpuCores()) {
      throw ApiError.validation("The hypervisor does not have enough free CPU cores.");
    }
    s.cpuCores = cores.intValue();
    s.updated = clock.instant();
  }

  /** {@code PUT /servers/{id}/modify/memory} with {@code {"memory": mb}}. */
  synchronized void modifyMemory(long id, JsonObject body) {
    advance();
    Server s = require(id);
    List<String> errors = new ArrayList<>();
    Long memory = Json.integer(body, "memory", true, 128, 4_194_304, errors);
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    if (usage(h.id()).memory() - s.memory + memory > h.maxMemoryMb()) {
      throw ApiError.validation("The hypervisor does not have enough free memory.");
    }
    s.memory = memory.intValue();
    s.updated = clock.instant();
  }

  /** {@code PUT /servers/{id}/modify/name} with {@code {"name": "..."}}. */
  synchronized void modifyName(long id, JsonObject body) {
    advance();
    Server s = require(id);
    List<String> errors = new ArrayList<>();
    String name = Json.string(body, "name", true, 255, errors);
    if (!errors.isEmpty()) {
      throw ApiError.validation(errors);
    }
    s.name = name;
    s.updated = clock.instant();
  }

  synchronized JsonObject server(long id) {
    advance();
    return Json.data(views.serverJson(require(id)));
  }

  /**
   * {@code GET /servers}: a page of servers in id order, in the short form ({@code type=simple},
   * the default) or as full records ({@code type=full}), optionally only those on the given
   * hypervisors.
   */
  synchronized JsonObject servers(
      Paging paging, String path, String type, List<String> hypervisorIds) {
    advance();
    boolean full = "full".equalsIgnoreCase(type);
    if (type != null && !full && !"simple".equalsIgnoreCase(type)) {
      throw ApiError.validation("The selected type is invalid.");
    }
    Set<Long> onHypervisors = new HashSet<>();
    for (String h : hypervisorIds) {
      Long n = Json.parseInteger(h);
      if (n == null) {
        throw ApiError.validation("The hypervisor id must be an integer.");
      }
      onHypervisors.add(n);
    }
    List<JsonObject> items =
        servers.values().stream()
            .filter(s -> onHypervisors.isEmpty() || onHypervisors.contains((long) s.hypervisorId))
            .map(s -> full ? views.serverJson(s) : ApiViews.simpleServerJson(s))
            .toList();
    return Json.page(items, paging, path);
  }

  /** {@code GET /servers/user/{userId}}: all of a user's servers (not paged). */
  synchronized JsonObject serversOfUser(long userId) {
    advance();
    if (!users.containsKey(userId)) {
      throw ApiError.notFound("user");
    }
    JsonArray list = new JsonArray();
    servers.values().stream()
        .filter(s -> s.ownerId == userId)
        .forEach(s -> list.add(views.userServerJson(s)));
    return Json.data(list);
  }

  synchronized JsonObject queueItem(long id) {
    advance();
    QueueItem q = queue.get(id);
    if (q == null) {
      throw ApiError.notFound("queue item");
    }
    return Json.data(views.queueJson(q));
  }

  // ---- rules -----------------------------------------------------------------------------------

  /** Finishes due tasks (in the order they fall due) and carries out due delayed deletes. */
  private void advance() {
    Instant now = clock.instant();
    queue.values().stream()
        .filter(q -> q.finished == null && !q.due.isAfter(now))
        .sorted(Comparator.comparing((QueueItem q) -> q.due).thenComparingLong(q -> q.id))
        .toList()
        .forEach(this::finish);
    servers.values().stream()
        .filter(s -> s.deleteAt != null && !s.deleteAt.isAfter(now))
        .toList()
        .forEach(this::remove);
  }

  private QueueItem enqueue(Server s, String action, Duration duration) {
    QueueItem q = new QueueItem();
    q.id = nextQueueId++;
    q.serverId = s.id;
    q.hypervisorId = s.hypervisorId;
    q.action = action;
    q.started = clock.instant();
    q.due = q.started.plus(duration);
    queue.put(q.id, q);
    s.activeQueueId = q.id;
    return q;
  }

  private void finish(QueueItem q) {
    q.finished = q.due;
    Server s = servers.get(q.serverId);
    if (s == null) {
      q.failed = true;
      q.error = "The server no longer exists.";
      return;
    }
    if (Objects.equals(s.activeQueueId, q.id)) {
      s.activeQueueId = null;
    }
    s.updated = q.due;
    switch (q.action) {
      case "build" -> {
        if (q.failBuild) {
          q.failed = true;
          q.error = "The operating system template could not be installed (simulated failure).";
          s.buildFailed = true;
          s.state = q.stateBefore;
          s.commissionStatus = q.commissionBefore;
        } else {
          s.buildFailed = false;
          s.commissionStatus = COMMISSION_BUILT;
          s.built = q.due;
          s.osTemplateId = q.templateId;
          if (q.ipv6 && s.ipv6.isEmpty()) {
            NetworkProfile p = inventory.networkProfile(s.networkProfileId).orElseThrow();
            s.ipv6.add(String.format(Locale.ROOT, "2001:db8:%x:%x::1", p.id(), s.id));
          }
          s.state = STOPPED;
          powerState(s, RUNNING);
        }
      }
      case "boot", "restart" -> powerState(s, RUNNING);
      case "shutdown", "poweroff" -> powerState(s, STOPPED);
      default -> throw new IllegalStateException("unknown action " + q.action);
    }
  }

  /** A suspended server stays stopped; it takes up {@code state} when unsuspended. */
  private static void powerState(Server s, String state) {
    if (s.suspended) {
      s.stateBeforeSuspend = state;
    } else {
      s.state = state;
    }
  }

  private void remove(Server s) {
    servers.remove(s.id);
    for (Address a : s.ipv4) {
      usedHosts.get(a.profileId()).clear(a.host());
    }
  }

  private Server require(long id) {
    Server s = servers.get(id);
    if (s == null) {
      throw ApiError.notFound("server");
    }
    return s;
  }

  /** The request's profile if the group has it, else the group's primary, default, first one. */
  private static NetworkProfile networkProfileFor(
      HypervisorGroup group, Long requested, List<String> errors) {
    List<NetworkProfile> profiles = group.networkProfiles();
    if (requested != null) {
      Optional<NetworkProfile> match =
          profiles.stream().filter(p -> p.id() == requested).findFirst();
      if (match.isEmpty()) {
        errors.add("Invalid network profile. The specified profile is not in use");
      }
      return match.orElse(null);
    }
    Optional<NetworkProfile> chosen =
        profiles.stream()
            .filter(NetworkProfile::primary)
            .findFirst()
            .or(() -> profiles.stream().filter(NetworkProfile::isDefault).findFirst())
            .or(() -> profiles.stream().findFirst());
    if (chosen.isEmpty()) {
      errors.add("No network profile is available in hypervisor group " + group.name() + ".");
    }
    return chosen.orElse(null);
  }

  /** The hypervisor of the group with room for the server and the fewest servers. */
  private Hypervisor placement(HypervisorGroup group, int cores, int memory, int storage) {
    return group.hypervisors().stream()
        .filter(
            h -> {
              Usage u = usage(h.id());
              return u.servers() < h.maxServers()
                  && u.cpuCores() + cores <= h.maxCpuCores()
                  && u.memory() + memory <= h.maxMemoryMb()
                  && u.storage() + storage <= h.storageGb();
            })
        .min(Comparator.comparingInt((Hypervisor h) -> usage(h.id()).servers()))
        .orElse(null);
  }

  private record Usage(int servers, int cpuCores, int memory, int storage) {}

  private Usage usage(int hypervisorId) {
    int count = 0;
    int cores = 0;
    int memory = 0;
    int storage = 0;
    for (Server s : servers.values()) {
      if (s.hypervisorId == hypervisorId) {
        count++;
        cores += s.cpuCores;
        memory += s.memory;
        storage += s.storage;
      }
    }
    return new Usage(count, cores, memory, storage);
  }

  private int freeHosts(int profileId) {
    BitSet used = usedHosts.get(profileId);
    int total = LAST_HOST - FIRST_HOST + 1;
    return used == null ? total : total - used.cardinality();
  }

  private Address allocateAddress(NetworkProfile profile) {
    BitSet used = usedHosts.computeIfAbsent(profile.id(), p -> new BitSet());
    int host = used.nextClearBit(FIRST_HOST);
    if (host > LAST_HOST) {
      throw new IllegalStateException("IPv4 pool exhausted (checked before)");
    }
    used.set(host);
    return new Address(
        nextAddressId++,
        profile.id(),
        host,
        profile.ipv4Prefix() + "." + host,
        profile.ipv4Prefix() + ".1");
  }

  private void checkUserUnique(Long ext, String relStr, String email, List<String> errors) {
    for (User u : users.values()) {
      if (ext != null && ext.equals(u.extRelationId)) {
        errors.add("The ext relation id has already been taken.");
      }
      if (relStr != null && relStr.equals(u.relStr)) {
        errors.add("The rel str has already been taken.");
      }
      if (email != null && email.equalsIgnoreCase(u.email)) {
        errors.add("The email has already been taken.");
      }
    }
  }

  private User newUser(Long ext, String relStr, String name, String email) {
    User u = new User();
    u.id = nextUserId++;
    u.extRelationId = ext;
    u.relStr = relStr;
    u.name = name;
    u.email = email;
    u.created = clock.instant();
    users.put(u.id, u);
    return u;
  }

  private static String keyType(String publicKey) {
    String[] parts = publicKey.trim().split("\\s+");
    if (parts.length < 2 || !parts[1].matches("[A-Za-z0-9+/]+={0,3}")) {
      return null;
    }
    return switch (parts[0]) {
      case "ssh-rsa" -> "rsa";
      case "ssh-ed25519", "sk-ssh-ed25519@openssh.com" -> "ed25519";
      case "ssh-dss" -> "dsa";
      case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> "ecdsa";
      default -> null;
    };
  }

  private static Duration nonNegative(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + d);
    }
    return d;
  }

  // ---- records ---------------------------------------------------------------------------------

  static final class User {
    long id;
    Long extRelationId;
    String relStr;
    String name;
    String email;
    Instant created;
  }

  static final class SshKey {
    long id;
    long userId;
    String name;
    String publicKey;
    String type;
    Instant created;
  }

  record Address(long id, int profileId, int host, String address, String gateway) {}

  static final class Server {
    long id;
    String uuid;
    String name;
    String hostname;
    long ownerId;
    int groupId;
    int hypervisorId;
    int packageId;
    int memory;
    int cpuCores;
    int storage;
    int traffic;
    int networkProfileId;
    List<Long> firewallRulesets = List.of();
    List<Long> sshKeyIds = List.of();
    final List<Address> ipv4 = new ArrayList<>();
    final List<String> ipv6 = new ArrayList<>();
    String state = CREATED;
    int commissionStatus = COMMISSION_NONE;
    boolean suspended;
    String stateBeforeSuspend;
    boolean buildFailed;
    boolean vnc;
    Integer osTemplateId;
    Long activeQueueId;
    Instant created;
    Instant updated;
    Instant built;
    Instant deleteAt;
  }

  static final class QueueItem {
    long id;
    long serverId;
    int hypervisorId;
    String action;
    Instant started;
    Instant due;
    Instant finished;
    boolean failed;
    String error;
    int templateId;
    boolean ipv6;
    boolean failBuild;
    String stateBefore;
    int commissionBefore;
  }
}
