package dev.virtsaga.devstack.virtfusion;

import dev.virtsaga.devstack.virtfusion.Inventory.Hypervisor;
import dev.virtsaga.devstack.virtfusion.Inventory.HypervisorGroup;
import dev.virtsaga.devstack.virtfusion.Inventory.NetworkProfile;
import dev.virtsaga.devstack.virtfusion.Inventory.OsTemplate;
import dev.virtsaga.devstack.virtfusion.Inventory.OsTemplateGroup;
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
  private final Instant inventoryCreated;

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

  SimulatorState(Inventory inventory, Clock clock) {
    this.inventory = Objects.requireNonNull(inventory);
    this.clock = Objects.requireNonNull(clock);
    this.inventoryCreated = clock.instant();
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
    return servers.values().stream().map(this::snapshotOf).toList();
  }

  synchronized Optional<SimServer> snapshot(long id) {
    advance();
    return Optional.ofNullable(servers.get(id)).map(this::snapshotOf);
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
        .map(u -> Json.data(userJson(u)))
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
    return Json.data(userJson(newUser(ext, relStr, name, email)));
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
    keys.values().stream().filter(k -> k.userId == userId).forEach(k -> list.add(keyJson(k)));
    return Json.data(list);
  }

  synchronized JsonObject sshKey(long id) {
    advance();
    SshKey key = keys.get(id);
    if (key == null) {
      throw ApiError.notFound("ssh key");
    }
    return Json.data(keyJson(key));
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
        inventory.allHypervisors().stream().map(this::hypervisorJson).toList(), paging, path);
  }

  synchronized JsonObject hypervisor(int id) {
    advance();
    return inventory
        .hypervisor(id)
        .map(h -> Json.data(hypervisorJson(h)))
        .orElseThrow(() -> ApiError.notFound("hypervisor"));
  }

  synchronized JsonObject groups(Paging paging, String path) {
    advance();
    return Json.page(inventory.groups().stream().map(this::groupJson).toList(), paging, path);
  }

  synchronized JsonObject group(int id) {
    advance();
    return inventory
        .group(id)
        .map(g -> Json.data(groupJson(g)))
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
                      .put("servers", resource("count", h.maxServers(), used.servers()))
                      .put("memory", resource("MB", h.maxMemoryMb(), used.memory()))
                      .put("cpuCores", resource("cores", h.maxCpuCores(), used.cpuCores()))
                      .put(
                          "localStorage",
                          resource("GB", h.storageGb(), used.storage())
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
    inventory.packages().forEach(p -> list.add(packageJson(p)));
    return Json.data(list);
  }

  synchronized JsonObject serverPackage(int id) {
    advance();
    return inventory
        .serverPackage(id)
        .map(p -> Json.data(packageJson(p)))
        .orElseThrow(() -> ApiError.notFound("package"));
  }

  synchronized JsonObject templatesOfPackage(int packageId) {
    advance();
    ServerPackage pkg =
        inventory.serverPackage(packageId).orElseThrow(() -> ApiError.notFound("package"));
    return Json.data(templatesJson(pkg));
  }

  synchronized JsonObject templatesOfServer(long serverId) {
    advance();
    Server s = require(serverId);
    return Json.data(templatesJson(inventory.serverPackage(s.packageId).orElseThrow()));
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
    return Json.data(serverJson(s));
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
    return Json.data(serverJson(s).put("queueId", q.id));
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
    return Json.data(serverJson(require(id)));
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
            .map(s -> full ? serverJson(s) : simpleServerJson(s))
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
        .forEach(s -> list.add(userServerJson(s)));
    return Json.data(list);
  }

  synchronized JsonObject queueItem(long id) {
    advance();
    QueueItem q = queue.get(id);
    if (q == null) {
      throw ApiError.notFound("queue item");
    }
    return Json.data(queueJson(q));
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

  // ---- views -----------------------------------------------------------------------------------

  private SimServer snapshotOf(Server s) {
    return new SimServer(
        s.id,
        s.uuid,
        s.name,
        s.hostname,
        s.ownerId,
        s.groupId,
        s.hypervisorId,
        s.packageId,
        s.state,
        s.commissionStatus,
        s.suspended,
        s.buildFailed,
        s.deleteAt,
        s.cpuCores,
        s.memory,
        s.storage,
        s.traffic,
        s.networkProfileId,
        s.ipv4.stream().map(Address::address).toList(),
        s.ipv6,
        s.osTemplateId,
        s.firewallRulesets);
  }

  private JsonObject serverJson(Server s) {
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    HypervisorGroup g = inventory.group(s.groupId).orElseThrow();
    User owner = users.get(s.ownerId);
    QueueItem active = s.activeQueueId == null ? null : queue.get(s.activeQueueId);
    JsonArray sshKeys = new JsonArray();
    for (Long keyId : s.sshKeyIds) {
      SshKey k = keys.get(keyId);
      if (k != null) {
        sshKeys.add(
            new JsonObject()
                .put("id", k.id)
                .put("ownerId", k.userId)
                .put("type", k.type)
                .put("name", k.name)
                .put("enabled", true));
      }
    }
    return new JsonObject()
        .put("id", s.id)
        .put("ownerId", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("arch", 1)
        .put("name", s.name)
        .put("hostname", s.hostname)
        .put("commissionStatus", s.commissionStatus)
        .put("uuid", s.uuid)
        .put("state", s.state)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("buildFailed", s.buildFailed)
        .put("rebuild", false)
        .put("deleting", s.deleteAt != null)
        .put("deleteAfter", Json.time(s.deleteAt))
        .put("built", Json.time(s.built))
        .put("created", Json.time(s.created))
        .put("updated", Json.time(s.updated))
        .put(
            "settings",
            new JsonObject()
                .put("osTemplateInstall", s.osTemplateId != null)
                .put("osTemplateInstallId", s.osTemplateId)
                .put("resources", resourcesJson(s)))
        .put("cpu", new JsonObject().put("cores", s.cpuCores).put("throttle", 0))
        .put("vnc", vncJson(s, h))
        .put(
            "network",
            new JsonObject()
                .put("interfaces", new JsonArray().add(interfaceJson(s)))
                .put("secondaryInterfaces", new JsonArray()))
        .put(
            "storage",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("id", s.id)
                        .put("capacity", s.storage)
                        .put("drive", "vda")
                        .put("type", "local")
                        .put("primary", true)
                        .put("enabled", true)))
        .put(
            "hypervisor",
            new JsonObject()
                .put("id", h.id())
                .put("ip", h.ip())
                .put("hostname", null)
                .put("name", h.name())
                .put("maintenance", false)
                .put("groupId", g.id())
                .put("group", new JsonObject().put("name", g.name()).put("icon", null)))
        .put("owner", owner == null ? null : userJson(owner))
        .put("os", osJson(s))
        .put("sshKeys", sshKeys)
        .put(
            "tasks",
            new JsonObject()
                .put("active", active != null && active.finished == null)
                .put("lastOn", active == null ? null : Json.time(active.started))
                .put("actions", new JsonObject().put("pending", new JsonArray())));
  }

  private static JsonObject simpleServerJson(Server s) {
    return new JsonObject()
        .put("id", s.id)
        .put("uuid", s.uuid)
        .put("name", s.name)
        .put("commissioned", s.commissionStatus)
        .put("owner", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("updated", Json.time(s.updated))
        .put("created", Json.time(s.created));
  }

  private JsonObject userServerJson(Server s) {
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    return new JsonObject()
        .put("id", s.id)
        .put("ownerId", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("name", s.name)
        .put("hostname", s.hostname)
        .put("commissionStatus", s.commissionStatus)
        .put("uuid", s.uuid)
        .put("state", s.state)
        .put("rebuild", false)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("buildFailed", s.buildFailed)
        .put("os", osJson(s))
        .put("vnc", vncJson(s, h))
        .put("resources", resourcesJson(s))
        .put("network", new JsonObject().put("interfaces", new JsonArray().add(interfaceJson(s))));
  }

  private JsonObject interfaceJson(Server s) {
    NetworkProfile p = inventory.networkProfile(s.networkProfileId).orElseThrow();
    JsonArray v4 = new JsonArray();
    int order = 1;
    for (Address a : s.ipv4) {
      v4.add(
          new JsonObject()
              .put("id", a.id())
              .put("order", order++)
              .put("enabled", true)
              .put("blockId", p.id())
              .put("address", a.address())
              .put("gateway", a.gateway())
              .put("netmask", "255.255.255.0")
              .put("resolver1", "1.1.1.1")
              .put("resolver2", "9.9.9.9")
              .put("rdns", null)
              .put("mac", null));
    }
    JsonArray v6 = new JsonArray();
    for (String address : s.ipv6) {
      String subnet = address.substring(0, address.length() - 1);
      v6.add(
          new JsonObject()
              .put("subnet", subnet)
              .put("cidr", 64)
              .put("gateway", "fe80::1")
              .put("enabled", true)
              .put("addresses", new JsonArray().add(address)));
    }
    return new JsonObject()
        .put("id", s.id)
        .put("order", 1)
        .put("enabled", true)
        .put("tag", 0)
        .put("name", "eth0")
        .put("type", "public")
        .put(
            "mac",
            String.format(
                Locale.ROOT,
                "52:54:00:%02x:%02x:%02x",
                (s.id >> 16) & 0xff,
                (s.id >> 8) & 0xff,
                s.id & 0xff))
        .put("networkProfile", p.id())
        .put("firewallEnabled", !s.firewallRulesets.isEmpty())
        .put("firewall", new JsonArray(new ArrayList<>(s.firewallRulesets)))
        .put(
            "hypervisorConnectivity",
            new JsonObject()
                .put("id", p.id())
                .put("type", "bridge")
                .put("bridge", "br" + p.id())
                .put("mtu", null)
                .put("primary", p.primary())
                .put("default", p.isDefault()))
        .put("ipv4", v4)
        .put("ipv6", v6);
  }

  private static JsonObject resourcesJson(Server s) {
    return new JsonObject()
        .put("memory", s.memory)
        .put("storage", s.storage)
        .put("traffic", s.traffic)
        .put("cpuCores", s.cpuCores);
  }

  private static JsonObject vncJson(Server s, Hypervisor h) {
    return new JsonObject()
        .put("ip", h.ip())
        .put("port", 5900 + (int) (s.id % 10000))
        .put("enabled", s.vnc);
  }

  private JsonObject osJson(Server s) {
    if (s.osTemplateId == null) {
      return null;
    }
    OsTemplate t = inventory.template(s.osTemplateId).orElseThrow();
    return new JsonObject()
        .put("templateId", t.id())
        .put("name", t.name())
        .put("version", t.version())
        .put("variant", t.variant())
        .put("dist", t.name().toLowerCase(Locale.ROOT).replace(' ', '-'));
  }

  private JsonObject hypervisorJson(Hypervisor h) {
    HypervisorGroup g = inventory.groupOf(h);
    JsonObject group = groupJson(g);
    group.remove("networkProfiles");
    JsonArray networks = new JsonArray();
    g.networkProfiles().forEach(p -> networks.add(networkJson(p)));
    return new JsonObject()
        .put("id", h.id())
        .put("commissioned", COMMISSION_BUILT)
        .put("ip", h.ip())
        .put("ipAlt", null)
        .put("hostname", null)
        .put("port", 8892)
        .put("sshPort", 22)
        .put("name", h.name())
        .put("maintenance", false)
        .put("enabled", true)
        .put("nfType", 1)
        .put("group", group)
        .put("maxServers", h.maxServers())
        .put("maxCpu", h.maxCpuCores())
        .put("maxMemory", h.maxMemoryMb())
        .put("networks", networks)
        .put("storage", new JsonArray())
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  private JsonObject networkJson(NetworkProfile p) {
    return new JsonObject()
        .put("id", p.id())
        .put("name", p.name())
        .put("type", "bridge")
        .put("bridge", "br" + p.id())
        .put("primary", p.primary())
        .put("default", p.isDefault())
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  /**
   * A group; {@code networkProfiles} is the simulator's addition (the real API lists them on each
   * hypervisor as {@code networks}).
   */
  private JsonObject groupJson(HypervisorGroup g) {
    JsonArray profiles = new JsonArray();
    g.networkProfiles().forEach(p -> profiles.add(networkJson(p)));
    return new JsonObject()
        .put("id", g.id())
        .put("name", g.name())
        .put("label", null)
        .put("description", g.name())
        .put("distributionType", 1)
        .put("enabled", true)
        .put("default", g.equals(inventory.groups().get(0)))
        .put("networkProfiles", profiles)
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  private static JsonObject resource(String units, int max, int allocated) {
    return new JsonObject()
        .put("units", units)
        .put("max", max)
        .put("allocated", allocated)
        .put("free", Math.max(0, max - allocated))
        .put("percent", max == 0 ? null : Math.round(allocated * 1000.0 / max) / 10.0);
  }

  private JsonObject packageJson(ServerPackage p) {
    return new JsonObject()
        .put("id", p.id())
        .put("name", p.name())
        .put("description", null)
        .put("enabled", true)
        .put("memory", p.memoryMb())
        .put("primaryStorage", p.storageGb())
        .put("traffic", p.trafficGb())
        .put("cpuCores", p.cpuCores())
        .put("primaryNetworkSpeedIn", 0)
        .put("primaryNetworkSpeedOut", 0)
        .put("primaryDiskType", "inherit")
        .put("backupPlanId", 0)
        .put("primaryStorageProfile", 0)
        .put("primaryNetworkProfile", 0)
        .put("created", Json.time(inventoryCreated));
  }

  private JsonArray templatesJson(ServerPackage pkg) {
    JsonArray groups = new JsonArray();
    for (OsTemplateGroup tg : inventory.templates()) {
      JsonArray templates = new JsonArray();
      for (OsTemplate t : tg.templates()) {
        if (pkg.templateIds().contains(t.id())) {
          templates.add(
              new JsonObject()
                  .put("id", t.id())
                  .put("name", t.name())
                  .put("version", t.version())
                  .put("variant", t.variant())
                  .put("arch", 1)
                  .put("description", "")
                  .put("icon", iconOf(tg.name()))
                  .put("eol", false)
                  .put("eol_date", null)
                  .put("eol_warning", false)
                  .put("deploy_type", 1)
                  .put("vnc", false)
                  .put("type", "linux"));
        }
      }
      if (!templates.isEmpty()) {
        groups.add(
            new JsonObject()
                .put("id", tg.id())
                .put("name", tg.name())
                .put("description", "")
                .put("icon", iconOf(tg.name()))
                .put("templates", templates));
      }
    }
    return groups;
  }

  private static String iconOf(String name) {
    return name.toLowerCase(Locale.ROOT).replace(' ', '_') + "_logo.png";
  }

  private JsonObject userJson(User u) {
    return new JsonObject()
        .put("id", u.id)
        .put("admin", false)
        .put("extRelationId", u.extRelationId)
        .put("relStr", u.relStr)
        .put("selfService", 0)
        .put("selfServiceHourlyGroupProfiles", new JsonArray())
        .put("selfServiceResourceGroupProfiles", new JsonArray())
        .put("selfServiceHourlyResourcePack", null)
        .put("name", u.name)
        .put("email", u.email)
        .put("timezone", "UTC")
        .put("suspended", false)
        .put("twoFactorAuth", false)
        .put("created", Json.time(u.created))
        .put("updated", Json.time(u.created));
  }

  private static JsonObject keyJson(SshKey k) {
    return new JsonObject()
        .put("id", k.id)
        .put("name", k.name)
        .put("publicKey", k.publicKey)
        .put("type", k.type)
        .put("enabled", true)
        .put("created", Json.time(k.created))
        .put("updated", Json.time(k.created));
  }

  private JsonObject queueJson(QueueItem q) {
    Instant now = clock.instant();
    int progress;
    if (q.finished != null) {
      progress = 100;
    } else {
      long total = Duration.between(q.started, q.due).toMillis();
      long done = Duration.between(q.started, now).toMillis();
      progress = total <= 0 ? 99 : (int) Math.min(99, done * 100 / total);
    }
    JsonArray errors = new JsonArray();
    if (q.error != null) {
      errors.add(q.error);
    }
    return new JsonObject()
        .put("id", q.id)
        .put("jobId", "sim-" + q.id)
        .put("job", "server." + q.action)
        .put("hypervisorId", q.hypervisorId)
        .put("serverId", q.serverId)
        .put("action", q.action)
        .put("queue", "default")
        .put("started", Json.time(q.started))
        .put("updated", Json.time(q.finished != null ? q.finished : now))
        .put("finished", Json.time(q.finished))
        .put("failed", q.failed)
        .put("progress", progress)
        .put(
            "errors",
            new JsonObject()
                .put(
                    "exception",
                    new JsonObject()
                        .put("stringable", false)
                        .put("errors", errors)
                        .put("type", null)
                        .put("trace", null)
                        .put("message", q.error)))
        .put("primaryActions", new JsonArray())
        .put("subActions", new JsonArray());
  }

  private static Duration nonNegative(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative: " + d);
    }
    return d;
  }

  // ---- records ---------------------------------------------------------------------------------

  private static final class User {
    long id;
    Long extRelationId;
    String relStr;
    String name;
    String email;
    Instant created;
  }

  private static final class SshKey {
    long id;
    long userId;
    String name;
    String publicKey;
    String type;
    Instant created;
  }

  private record Address(long id, int profileId, int host, String address, String gateway) {}

  private static final class Server {
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

  private static final class QueueItem {
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
