package dev.virtsaga.devstack.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtFusionSimulatorTest {

  private static final String TOKEN = "s3cret-token";
  private static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEx7aMPLeKeY0123456789 me@host";

  private static VirtFusionSimulator sim;
  private static SimClient api;

  @BeforeAll
  static void start() {
    sim = new VirtFusionSimulator(TOKEN);
    api = new SimClient(sim.start(), TOKEN);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void fresh() {
    sim.reset();
    sim.buildDuration(Duration.ofSeconds(2)).powerDuration(Duration.ZERO);
    sim.delayMinute(Duration.ofMinutes(1));
  }

  @Test
  void startAnswersTheBaseUrlOnLoopback() {
    assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port() + "/api/v1");
  }

  @Test
  void requestsWithoutOrWithAWrongTokenAre401WithNoBody() {
    // Given no token, a wrong token, a non-bearer scheme
    SimClient anonymous = new SimClient(sim.baseUrl(), null);
    SimClient wrong = new SimClient(sim.baseUrl(), TOKEN + "x");

    // Then each is refused with an empty 401
    for (SimClient.Response r :
        List.of(anonymous.get("/connect"), wrong.get("/connect"), wrong.get("/servers/1"))) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEmpty();
    }
    // And the right token gets through, answered in the data envelope
    SimClient.Response ok = api.get("/connect");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.json().containsKey("data")).isTrue();
  }

  @Test
  void listsArePagedLaravelStyle() {
    // When the four hypervisors are listed two per page, page 2
    SimClient.Response page2 = api.get("/compute/hypervisors?results=2&page=2");

    // Then the page holds the last two, with Laravel's paging fields
    assertThat(page2.status()).isEqualTo(200);
    JsonObject body = page2.json();
    assertThat(ids(body.getJsonArray("data"))).containsExactly(21L, 31L);
    assertThat(body.getInteger("current_page")).isEqualTo(2);
    assertThat(body.getInteger("last_page")).isEqualTo(2);
    assertThat(body.getInteger("per_page")).isEqualTo(2);
    assertThat(body.getInteger("total")).isEqualTo(4);
    assertThat(body.getInteger("from")).isEqualTo(3);
    assertThat(body.getString("next_page_url")).isNull();
    assertThat(body.getString("prev_page_url"))
        .endsWith("/api/v1/compute/hypervisors?results=2&page=1");

    // And the default page size is 20, a page past the end is empty, a bad size is a 422
    assertThat(api.get("/compute/hypervisors").json().getInteger("per_page")).isEqualTo(20);
    assertThat(api.get("/compute/hypervisors?page=9").dataArray()).isEmpty();
    SimClient.Response tooMany = api.get("/compute/hypervisors?results=500");
    assertThat(tooMany.status()).isEqualTo(422);
    assertThat(tooMany.errors().getString(0)).contains("results");
  }

  @Test
  void hypervisorGroupsOfferHypervisorsAndNetworkProfilesWithPrimaryAndDefaultMarkers() {
    // Groups are paged
    assertThat(ids(api.get("/compute/hypervisors/groups").dataArray())).containsExactly(1L, 2L, 3L);

    // A group lists its network profiles with the markers
    JsonObject prague = api.get("/compute/hypervisors/groups/1").data();
    assertThat(prague.getString("name")).isEqualTo("Prague");
    JsonArray profiles = prague.getJsonArray("networkProfiles");
    assertThat(profiles.getJsonObject(0).getBoolean("primary")).isTrue();
    assertThat(profiles.getJsonObject(1).getBoolean("default")).isTrue();

    // Its resources list each hypervisor with capacity
    JsonArray resources = api.get("/compute/hypervisors/groups/1/resources").dataArray();
    assertThat(resources).hasSize(2);
    JsonObject first = resources.getJsonObject(0);
    assertThat(first.getJsonObject("hypervisor").getLong("id")).isEqualTo(11L);
    JsonObject memory = first.getJsonObject("resources").getJsonObject("memory");
    assertThat(memory.getInteger("max")).isEqualTo(262144);
    assertThat(memory.getInteger("free")).isEqualTo(262144);

    // A hypervisor names its group and offers the group's networks
    JsonObject hv = api.get("/compute/hypervisors/11").data();
    assertThat(hv.getJsonObject("group").getLong("id")).isEqualTo(1L);
    assertThat(hv.getJsonArray("networks").getJsonObject(0).getBoolean("primary")).isTrue();

    // Unknown ids are 404
    assertThat(api.get("/compute/hypervisors/1").status()).isEqualTo(404);
    assertThat(api.get("/compute/hypervisors/groups/99").status()).isEqualTo(404);
  }

  @Test
  void packagesAndTheirTemplates() {
    assertThat(ids(api.get("/packages").dataArray())).containsExactly(1L, 2L, 3L);
    JsonObject small = api.get("/packages/1").data();
    assertThat(small.getInteger("memory")).isEqualTo(1024);
    assertThat(small.getInteger("cpuCores")).isEqualTo(1);
    assertThat(small.getInteger("primaryStorage")).isEqualTo(25);

    // Templates come grouped by OS family, only those the package offers
    JsonArray groups = api.get("/media/templates/fromServerPackageSpec/1").dataArray();
    assertThat(groups.stream().map(g -> ((JsonObject) g).getString("name")))
        .containsExactly("Ubuntu", "Debian");
    JsonObject ubuntu2204 = groups.getJsonObject(0).getJsonArray("templates").getJsonObject(0);
    assertThat(ubuntu2204.getLong("id")).isEqualTo(101L);
    assertThat(ubuntu2204.getString("version")).isEqualTo("22.04");
    assertThat(api.get("/media/templates/fromServerPackageSpec/2").dataArray()).hasSize(3);
    assertThat(api.get("/media/templates/fromServerPackageSpec/9").status()).isEqualTo(404);
  }

  @Test
  void usersAreFoundByExternalRelationId() {
    // Unknown: 404
    assertThat(api.get("/users/42/byExtRelation").status()).isEqualTo(404);

    // Seeded from the test, or created over the API
    long seeded = sim.addUser(42);
    assertThat(api.get("/users/42/byExtRelation").data().getLong("id")).isEqualTo(seeded);
    SimClient.Response created =
        api.post(
            "/users",
            new JsonObject()
                .put("name", "Tenant 7")
                .put("email", "t7@x.test")
                .put("extRelationId", 7));
    assertThat(created.status()).isEqualTo(201);
    assertThat(api.get("/users/7/byExtRelation").data().getLong("id"))
        .isEqualTo(created.data().getLong("id"));
    long byString = sim.addUserWithRelStr("tenant-a");
    assertThat(api.get("/users/tenant-a/byExtRelation?relStr=true").data().getLong("id"))
        .isEqualTo(byString);

    // An external relation id is taken once
    SimClient.Response again =
        api.post(
            "/users",
            new JsonObject().put("name", "Dup").put("email", "d@x.test").put("extRelationId", 42));
    assertThat(again.status()).isEqualTo(422);
    assertThat(again.errors().getString(0)).contains("ext relation id");
  }

  @Test
  void sshKeysAreRegisteredPerUser() {
    long user = sim.addUser(1);

    // When a key is added
    SimClient.Response added =
        api.post(
            "/ssh_keys",
            new JsonObject().put("userId", user).put("name", "laptop").put("publicKey", KEY));

    // Then it is created with an id and listed for the user
    assertThat(added.status()).isEqualTo(201);
    long keyId = added.data().getLong("id");
    assertThat(added.data().getString("type")).isEqualTo("ed25519");
    JsonArray keys = api.get("/ssh_keys/user/" + user).dataArray();
    assertThat(ids(keys)).containsExactly(keyId);
    assertThat(keys.getJsonObject(0).getString("publicKey")).isEqualTo(KEY);

    // And the same key again, an unknown user or a malformed key are 422
    JsonObject sameAgain =
        new JsonObject().put("userId", user).put("name", "again").put("publicKey", KEY);
    assertThat(api.post("/ssh_keys", sameAgain).status()).isEqualTo(422);
    assertThat(api.post("/ssh_keys", sameAgain.copy().put("userId", 999)).status()).isEqualTo(422);
    SimClient.Response bad = api.post("/ssh_keys", sameAgain.copy().put("publicKey", "not a key"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.errors().getString(0)).isEqualTo("The public key is invalid.");
  }

  @Test
  void aServerIsAllocatedThenBuiltThroughTheQueueUntilRunningWithAnAddress() {
    // Given a user with a key, and builds that take 1.5 s
    sim.buildDuration(Duration.ofMillis(1500));
    long user = sim.addUser(100);
    long key = addKey(user);

    // When a server is allocated in group 1
    SimClient.Response created =
        api.post(
            "/servers",
            new JsonObject().put("packageId", 1).put("userId", user).put("hypervisorId", 1));

    // Then it exists, unbuilt, on a hypervisor of the group, with an address of the primary profile
    assertThat(created.status()).isEqualTo(201);
    JsonObject server = created.data();
    long id = server.getLong("id");
    assertThat(server.getString("state")).isEqualTo("created");
    assertThat(server.getInteger("commissionStatus")).isZero();
    assertThat(server.getJsonObject("hypervisor").getInteger("id")).isIn(11, 12);
    assertThat(server.getJsonObject("owner").getLong("id")).isEqualTo(user);
    assertThat(server.getJsonObject("settings").getJsonObject("resources").getInteger("memory"))
        .isEqualTo(1024);
    JsonObject nic = server.getJsonObject("network").getJsonArray("interfaces").getJsonObject(0);
    assertThat(nic.getInteger("networkProfile")).isEqualTo(1);
    assertThat(nic.getJsonArray("ipv4").getJsonObject(0).getString("address"))
        .startsWith("203.0.113.");

    // When it is built
    SimClient.Response build =
        api.post(
            "/servers/" + id + "/build",
            new JsonObject()
                .put("operatingSystemId", 101)
                .put("name", "vm-7f3a")
                .put("hostname", "vm-7f3a.example.test")
                .put("sshKeys", new JsonArray().add(key)));

    // Then a build is queued and in progress
    assertThat(build.status()).isEqualTo(200);
    long queueId = build.data().getLong("queueId");
    assertThat(build.data().getString("state")).isEqualTo("building");
    JsonObject item = api.get("/queue/" + queueId).data();
    assertThat(item.getString("action")).isEqualTo("build");
    assertThat(item.getLong("serverId")).isEqualTo(id);
    assertThat(item.getString("finished")).isNull();
    assertThat(item.getInteger("progress")).isBetween(0, 99);
    assertThat(sim.serverCountsByState()).isEqualTo(Map.of("building", 1));

    // And the queue item finishes in time
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> api.get("/queue/" + queueId).data().getString("finished") != null);
    JsonObject done = api.get("/queue/" + queueId).data();
    assertThat(done.getBoolean("failed")).isFalse();
    assertThat(done.getInteger("progress")).isEqualTo(100);

    // And the server is running, named, with its OS and address
    JsonObject running = api.get("/servers/" + id).data();
    assertThat(running.getString("state")).isEqualTo("running");
    assertThat(running.getInteger("commissionStatus")).isEqualTo(3);
    assertThat(running.getString("name")).isEqualTo("vm-7f3a");
    assertThat(running.getString("hostname")).isEqualTo("vm-7f3a.example.test");
    assertThat(running.getJsonObject("os").getInteger("templateId")).isEqualTo(101);
    assertThat(ids(running.getJsonArray("sshKeys"))).containsExactly(key);
    assertThat(
            running
                .getJsonObject("network")
                .getJsonArray("interfaces")
                .getJsonObject(0)
                .getJsonArray("ipv4")
                .getJsonObject(0)
                .getString("address"))
        .startsWith("203.0.113.");
    assertThat(sim.serverCountsByState()).isEqualTo(Map.of("running", 1));
    assertThat(sim.server(id).orElseThrow().ipv4()).hasSize(1);

    // And it is listed, in the short form and per user
    JsonObject list = api.get("/servers").json();
    assertThat(list.getInteger("total")).isEqualTo(1);
    assertThat(list.getJsonArray("data").getJsonObject(0).getString("name")).isEqualTo("vm-7f3a");
    JsonArray mine = api.get("/servers/user/" + user).dataArray();
    assertThat(mine.getJsonObject(0).getString("state")).isEqualTo("running");
    assertThat(api.get("/servers?type=full").dataArray().getJsonObject(0).getString("state"))
        .isEqualTo("running");
  }

  @Test
  void dryRunValidatesAndCreatesNothing() {
    long user = sim.addUser(5);
    JsonObject request =
        new JsonObject().put("packageId", 2).put("userId", user).put("hypervisorId", 2);

    // When a valid request is tried
    SimClient.Response dry = api.post("/servers?dryRun=true", request);

    // Then it succeeds without a server
    assertThat(dry.status()).isEqualTo(200);
    assertThat(dry.json())
        .isEqualTo(new JsonObject().put("data", new JsonObject().put("dryRun", "success")));
    assertThat(sim.servers()).isEmpty();
    assertThat(api.get("/servers").json().getInteger("total")).isZero();

    // And an invalid one still fails like the real thing
    SimClient.Response invalid =
        api.post("/servers?dryRun=true", request.copy().put("networkProfile", 1));
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(sim.servers()).isEmpty();
  }

  @Test
  void createRefusesMissingAndUnknownReferencesWith422AndAnErrorsArray() {
    long user = sim.addUser(9);

    // Missing required fields are all listed
    SimClient.Response empty = api.post("/servers", new JsonObject());
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.errors().getList())
        .containsExactly(
            "The package id field is required.",
            "The user id field is required.",
            "The hypervisor id field is required.");

    // A network profile of another group is not in use here
    JsonObject request =
        new JsonObject().put("packageId", 1).put("userId", user).put("hypervisorId", 1);
    SimClient.Response wrongProfile = api.post("/servers", request.copy().put("networkProfile", 3));
    assertThat(wrongProfile.status()).isEqualTo(422);
    assertThat(wrongProfile.errors().getList())
        .containsExactly("Invalid network profile. The specified profile is not in use");

    // A hypervisor id is not a group id; unknown package and user
    assertThat(api.post("/servers", request.copy().put("hypervisorId", 11)).errors().getList())
        .containsExactly("The selected hypervisor id is invalid.");
    assertThat(
            api.post("/servers", request.copy().put("packageId", 9).put("userId", 999))
                .errors()
                .getList())
        .containsExactly("The selected package id is invalid.", "The selected user id is invalid.");

    // A group without any network profile cannot take a server
    SimClient.Response lab = api.post("/servers", request.copy().put("hypervisorId", 3));
    assertThat(lab.status()).isEqualTo(422);
    assertThat(lab.errors().getString(0)).contains("No network profile");

    assertThat(sim.servers()).isEmpty();
  }

  @Test
  void theNetworkProfileIsTheRequestedOneElseThePrimaryElseTheDefault() {
    long user = sim.addUser(11);
    JsonObject request = new JsonObject().put("packageId", 1).put("userId", user);

    assertThat(profileOf(api.post("/servers", request.copy().put("hypervisorId", 1)))).isEqualTo(1);
    assertThat(profileOf(api.post("/servers", request.copy().put("hypervisorId", 2)))).isEqualTo(3);
    SimClient.Response privateNet =
        api.post("/servers", request.copy().put("hypervisorId", 1).put("networkProfile", 2));
    assertThat(profileOf(privateNet)).isEqualTo(2);
    assertThat(firstAddress(privateNet.data())).startsWith("10.10.2.");
  }

  @Test
  void powerSuspendModifyAndDelete() {
    sim.buildDuration(Duration.ZERO);
    long user = sim.addUser(20);
    long id = builtServer(user);
    assertThat(state(id)).isEqualTo("running");

    // Power actions are queued and take effect
    SimClient.Response shutdown = api.post("/servers/" + id + "/power/shutdown", new JsonObject());
    assertThat(shutdown.status()).isEqualTo(200);
    assertThat(shutdown.data().getLong("queueId")).isPositive();
    assertThat(state(id)).isEqualTo("stopped");
    api.post("/servers/" + id + "/power/boot", new JsonObject());
    assertThat(state(id)).isEqualTo("running");
    api.post("/servers/" + id + "/power/poweroff", new JsonObject());
    assertThat(state(id)).isEqualTo("stopped");
    api.post("/servers/" + id + "/power/restart", new JsonObject());
    assertThat(state(id)).isEqualTo("running");
    assertThat(api.post("/servers/" + id + "/power/explode", new JsonObject()).status())
        .isEqualTo(404);

    // Suspend stops it and refuses power; unsuspend brings it back
    assertThat(api.post("/servers/" + id + "/suspend", new JsonObject()).status()).isEqualTo(204);
    JsonObject suspended = api.get("/servers/" + id).data();
    assertThat(suspended.getBoolean("suspended")).isTrue();
    assertThat(suspended.getString("state")).isEqualTo("stopped");
    assertThat(api.post("/servers/" + id + "/power/boot", new JsonObject()).status())
        .isEqualTo(409);
    assertThat(api.post("/servers/" + id + "/unsuspend", new JsonObject()).status()).isEqualTo(204);
    assertThat(api.get("/servers/" + id).data().getBoolean("suspended")).isFalse();
    assertThat(state(id)).isEqualTo("running");

    // CPU cores take {"cores"}, memory {"memory"}, name {"name"}; all answer 201
    assertThat(
            api.put("/servers/" + id + "/modify/cpuCores", new JsonObject().put("cores", 4))
                .status())
        .isEqualTo(201);
    assertThat(
            api.put("/servers/" + id + "/modify/memory", new JsonObject().put("memory", 4096))
                .status())
        .isEqualTo(201);
    assertThat(
            api.put("/servers/" + id + "/modify/name", new JsonObject().put("name", "renamed"))
                .status())
        .isEqualTo(201);
    JsonObject modified = api.get("/servers/" + id).data();
    JsonObject resources = modified.getJsonObject("settings").getJsonObject("resources");
    assertThat(resources.getInteger("cpuCores")).isEqualTo(4);
    assertThat(resources.getInteger("memory")).isEqualTo(4096);
    assertThat(modified.getString("name")).isEqualTo("renamed");
    SimClient.Response wrongField =
        api.put("/servers/" + id + "/modify/cpuCores", new JsonObject().put("cpuCores", 2));
    assertThat(wrongField.status()).isEqualTo(422);
    assertThat(wrongField.errors().getString(0)).isEqualTo("The cores field is required.");
    assertThat(
            api.put("/servers/" + id + "/modify/cpuCores", new JsonObject().put("cores", 1000))
                .status())
        .isEqualTo(422);

    // A delayed delete marks the server, then removes it
    sim.delayMinute(Duration.ofMillis(100));
    assertThat(api.delete("/servers/" + id + "?delay=3").status()).isEqualTo(204);
    JsonObject deleting = api.get("/servers/" + id).data();
    assertThat(deleting.getBoolean("deleting")).isTrue();
    assertThat(deleting.getString("deleteAfter")).isNotNull();
    await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/servers/" + id).status() == 404);

    // An immediate delete removes it at once; the old form of 404 follows
    long other = builtServer(user);
    assertThat(api.delete("/servers/" + other).status()).isEqualTo(204);
    SimClient.Response gone = api.get("/servers/" + other);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json()).isEqualTo(new JsonObject().put("msg", "server not found"));
    assertThat(api.delete("/servers/" + other).status()).isEqualTo(404);
    assertThat(api.delete("/servers/" + other + "?delay=-1").status()).isEqualTo(404);
    assertThat(sim.servers()).isEmpty();
  }

  @Test
  void buildAndPowerAreCheckedAgainstTheServer() {
    long user = sim.addUser(30);
    long stranger = sim.addUser(31);
    long strangersKey = addKey(stranger);
    long id = createServer(user, 1);

    // Power before a build is a conflict
    assertThat(api.post("/servers/" + id + "/power/boot", new JsonObject()).status())
        .isEqualTo(409);
    // A template the package does not offer, another user's key, no template at all: 422
    assertThat(
            api.post("/servers/" + id + "/build", new JsonObject().put("operatingSystemId", 104))
                .errors()
                .getList())
        .containsExactly("The selected operating system id is invalid.");
    assertThat(
            api.post(
                    "/servers/" + id + "/build",
                    new JsonObject()
                        .put("operatingSystemId", 101)
                        .put("sshKeys", new JsonArray().add(strangersKey)))
                .status())
        .isEqualTo(422);
    assertThat(api.post("/servers/" + id + "/build", new JsonObject()).errors().getList())
        .containsExactly("The operating system id field is required.");
    // A second build while one runs is a conflict
    api.post("/servers/" + id + "/build", new JsonObject().put("operatingSystemId", 101));
    assertThat(
            api.post("/servers/" + id + "/build", new JsonObject().put("operatingSystemId", 101))
                .status())
        .isEqualTo(409);
  }

  @Test
  void aFailedBuildFinishesFailedAndLeavesTheServerUnbuilt() {
    sim.buildDuration(Duration.ofMillis(50)).failNextBuilds(1);
    long id = createServer(sim.addUser(40), 1);

    long queueId =
        api.post("/servers/" + id + "/build", new JsonObject().put("operatingSystemId", 102))
            .data()
            .getLong("queueId");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> api.get("/queue/" + queueId).data().getString("finished") != null);
    JsonObject item = api.get("/queue/" + queueId).data();
    assertThat(item.getBoolean("failed")).isTrue();
    assertThat(item.getJsonObject("errors").getJsonObject("exception").getString("message"))
        .contains("could not be installed");
    JsonObject server = api.get("/servers/" + id).data();
    assertThat(server.getBoolean("buildFailed")).isTrue();
    assertThat(server.getString("state")).isEqualTo("created");
    assertThat(server.getInteger("commissionStatus")).isZero();
  }

  @Test
  void anythingElseIs404() {
    assertThat(api.get("/nothing/here").status()).isEqualTo(404);
    assertThat(api.get("/servers/abc").status()).isEqualTo(404);
    assertThat(api.get("/queue/4242").status()).isEqualTo(404);
    assertThat(api.put("/connect", new JsonObject()).status()).isEqualTo(404);
    assertThat(api.post("/servers/101/package/2", new JsonObject()).status()).isEqualTo(404);
  }

  @Test
  void concurrentCreatesGetDistinctServersAndAddresses() throws Exception {
    long user = sim.addUser(50);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<SimClient.Response>> futures =
          IntStream.range(0, 20)
              .mapToObj(
                  i ->
                      pool.submit(
                          () ->
                              api.post(
                                  "/servers",
                                  new JsonObject()
                                      .put("packageId", 1)
                                      .put("userId", user)
                                      .put("hypervisorId", 1))))
              .toList();
      for (Future<SimClient.Response> f : futures) {
        assertThat(f.get().status()).isEqualTo(201);
      }
    } finally {
      pool.shutdownNow();
    }
    List<SimServer> servers = sim.servers();
    assertThat(servers).hasSize(20);
    assertThat(servers.stream().map(SimServer::id).distinct()).hasSize(20);
    assertThat(servers.stream().flatMap(s -> s.ipv4().stream()).distinct()).hasSize(20);
    assertThat(servers.stream().map(SimServer::hypervisorId).distinct()).containsOnly(11, 12);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static long addKey(long user) {
    return api.post(
            "/ssh_keys",
            new JsonObject().put("userId", user).put("name", "k").put("publicKey", KEY))
        .data()
        .getLong("id");
  }

  private static long createServer(long user, int group) {
    SimClient.Response r =
        api.post(
            "/servers",
            new JsonObject().put("packageId", 1).put("userId", user).put("hypervisorId", group));
    assertThat(r.status()).isEqualTo(201);
    return r.data().getLong("id");
  }

  private static long builtServer(long user) {
    long id = createServer(user, 1);
    assertThat(
            api.post("/servers/" + id + "/build", new JsonObject().put("operatingSystemId", 101))
                .status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> "running".equals(state(id)));
    return id;
  }

  private static String state(long id) {
    return api.get("/servers/" + id).data().getString("state");
  }

  private static int profileOf(SimClient.Response created) {
    assertThat(created.status()).isEqualTo(201);
    return created
        .data()
        .getJsonObject("network")
        .getJsonArray("interfaces")
        .getJsonObject(0)
        .getInteger("networkProfile");
  }

  private static String firstAddress(JsonObject server) {
    return server
        .getJsonObject("network")
        .getJsonArray("interfaces")
        .getJsonObject(0)
        .getJsonArray("ipv4")
        .getJsonObject(0)
        .getString("address");
  }

  private static List<Long> ids(JsonArray array) {
    return array.stream().map(o -> ((JsonObject) o).getLong("id")).toList();
  }
}
