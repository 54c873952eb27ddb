package dev.virtsaga.devstack.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.devstack.virtfusion.Faults.Fault;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtFusionFaultsTest {

  private static final String TOKEN = "fault-token";

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
  }

  @Test
  void injectedFaultsFollowTheConfiguredRates() {
    // Given 20 % 429, 10 % 500, 10 % 503 with a fixed seed
    sim.faults()
        .seed(42)
        .rate(Fault.TOO_MANY_REQUESTS, 0.2)
        .rate(Fault.INTERNAL_SERVER_ERROR, 0.1)
        .rate(Fault.SERVICE_UNAVAILABLE, 0.1)
        .retryAfter(Duration.ofSeconds(2));

    // When 1000 requests are made
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < 1000; i++) {
      SimClient.Response r = api.get("/connect");
      statuses.merge(r.status(), 1, Integer::sum);
      if (r.status() == 429) {
        assertThat(r.headers().firstValue("Retry-After")).contains("2");
      }
    }

    // Then the faults come at roughly those rates
    assertThat(statuses.get(429)).isBetween(160, 240);
    assertThat(statuses.get(500)).isBetween(70, 130);
    assertThat(statuses.get(503)).isBetween(70, 130);
    assertThat(statuses.get(200)).isBetween(520, 680);
    assertThat(statuses.keySet()).containsExactly(200, 429, 500, 503);

    // And the request log says which were injected
    List<RequestLog.Entry> log = sim.requestLog().entries();
    assertThat(log).hasSize(1000);
    assertThat(log.stream().filter(RequestLog.Entry::injected).count())
        .isEqualTo(1000 - statuses.get(200));
    assertThat(log.stream().filter(e -> e.fault() == Fault.SERVICE_UNAVAILABLE))
        .allMatch(e -> e.status() == 503);
  }

  @Test
  void theSameSeedGivesTheSameFaults() {
    List<Integer> first = statusesWithSeed(7, 60);
    List<Integer> second = statusesWithSeed(7, 60);
    assertThat(second).isEqualTo(first);
    assertThat(first).contains(200, 503);
  }

  @Test
  void scriptedFaultsComeFirstAndOnlyInScope() {
    long user = sim.addUser(1);
    JsonObject create =
        new JsonObject().put("packageId", 1).put("userId", user).put("hypervisorId", 1);
    // Given two 503 for POST /servers only
    sim.faults().scope("POST", "/servers$").next(Fault.SERVICE_UNAVAILABLE, 2);

    // Then other requests pass, the two creates fail without effect, the third succeeds
    assertThat(api.get("/connect").status()).isEqualTo(200);
    assertThat(api.get("/servers").status()).isEqualTo(200);
    SimClient.Response failed = api.post("/servers", create);
    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.json().getString("message")).isEqualTo("Service Unavailable");
    assertThat(api.post("/servers", create).status()).isEqualTo(503);
    assertThat(sim.servers()).isEmpty();
    assertThat(api.post("/servers", create).status()).isEqualTo(201);
    assertThat(sim.servers()).hasSize(1);
  }

  @Test
  void aDroppedConnectionGetsNoAnswerAndChangesNothing() throws Exception {
    long user = sim.addUser(2);
    sim.faults().next(Fault.DROP_CONNECTION, 1);

    // When a create is sent and the connection is dropped
    assertThatThrownBy(() -> api.raw(createRequest(user))).isInstanceOf(IOException.class);

    // Then nothing was created, the log shows status 0 with the fault, and the next one works
    assertThat(sim.servers()).isEmpty();
    RequestLog.Entry dropped = sim.requestLog().entries().get(0);
    assertThat(dropped.status()).isZero();
    assertThat(dropped.fault()).isEqualTo(Fault.DROP_CONNECTION);
    assertThat(dropped.path()).isEqualTo("/api/v1/servers");
    assertThat(api.raw(createRequest(user)).statusCode()).isEqualTo(201);
  }

  @Test
  void aLostResponseIsCarriedOutButNeverAnswered() throws Exception {
    long user = sim.addUser(3);
    sim.faults().next(Fault.LOST_RESPONSE, 1);

    // When a create's answer is lost
    assertThatThrownBy(() -> api.raw(createRequest(user))).isInstanceOf(IOException.class);

    // Then the server exists all the same (what an idempotent client must cope with)
    assertThat(sim.servers()).hasSize(1);
    RequestLog.Entry lost = sim.requestLog().entries().get(0);
    assertThat(lost.status()).isEqualTo(201);
    assertThat(lost.fault()).isEqualTo(Fault.LOST_RESPONSE);
  }

  @Test
  void latencyDelaysOnlyRequestsInScope() {
    sim.faults().scope("/connect$").latency(Duration.ofMillis(300));

    long started = System.nanoTime();
    assertThat(api.get("/connect").status()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(api.get("/packages").status()).isEqualTo(200);

    List<RequestLog.Entry> log = sim.requestLog().entries();
    assertThat(log.get(0).took()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(log.get(1).took()).isLessThan(Duration.ofMillis(300));
    assertThat(log).noneMatch(RequestLog.Entry::injected);
  }

  @Test
  void randomLatencyStaysWithinItsRange() {
    sim.faults().seed(3).latency(Duration.ofMillis(20), Duration.ofMillis(60));
    for (int i = 0; i < 10; i++) {
      api.get("/connect");
    }
    assertThat(sim.requestLog().entries())
        .allSatisfy(
            e ->
                assertThat(e.took())
                    .isBetween(Duration.ofMillis(20), Duration.ofMillis(60).plusMillis(200)));
  }

  @Test
  void theRateLimitAnswers429WithRetryAfterBeyondItsBudget() {
    // Given 5 requests per 10 s
    sim.faults().rateLimit(5, Duration.ofSeconds(10));

    // When 8 are made at once
    List<SimClient.Response> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(api.get("/connect"));
    }

    // Then 5 pass and 3 are told when to come back
    assertThat(answers.stream().map(SimClient.Response::status))
        .containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
    SimClient.Response limited = answers.get(5);
    assertThat(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(1L, 10L);
    assertThat(limited.headers().firstValue("X-RateLimit-Limit")).contains("5");
    // The limit is not an injected fault
    assertThat(sim.requestLog().entries()).noneMatch(RequestLog.Entry::injected);
    // And unauthenticated requests do not use the budget
    assertThat(new SimClient(sim.baseUrl(), null).get("/connect").status()).isEqualTo(401);
  }

  @Test
  void theRequestLogRecordsWhatWasAsked() {
    Instant before = Instant.now();
    api.get("/compute/hypervisors?results=1&page=2");
    new SimClient(sim.baseUrl(), "nope").get("/servers/5");
    api.post("/ssh_keys", new JsonObject());

    List<RequestLog.Entry> log = sim.requestLog().entries();
    assertThat(log).hasSize(3);
    RequestLog.Entry list = log.get(0);
    assertThat(list.method()).isEqualTo("GET");
    assertThat(list.path()).isEqualTo("/api/v1/compute/hypervisors");
    assertThat(list.query()).isEqualTo("results=1&page=2");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.fault()).isNull();
    assertThat(list.at()).isAfterOrEqualTo(before.minusMillis(5));
    assertThat(log.get(1).status()).isEqualTo(401);
    assertThat(log.get(2).status()).isEqualTo(422);
    assertThat(sim.requestLog().entries("GET", "/servers/")).hasSize(1);
    assertThat(sim.requestLog().entries("POST", null)).hasSize(1);
  }

  @Test
  void peakCountsTheBusiestWindow() {
    RequestLog log = new RequestLog();
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    for (int ms : new int[] {0, 100, 200, 900, 1000, 1050, 1100, 2500}) {
      log.add(
          new RequestLog.Entry(
              t0.plusMillis(ms), "GET", "/api/v1/connect", "", 200, null, Duration.ZERO));
    }
    // [100, 1100) holds 100, 200, 900, 1000, 1050 → 5; [200, 1200) also 900..1100 → 5
    assertThat(log.peak(Duration.ofSeconds(1))).isEqualTo(5);
    assertThat(log.peak(Duration.ofMillis(1))).isEqualTo(1);
    assertThat(log.peak(Duration.ofSeconds(3))).isEqualTo(8);
  }

  @Test
  void faultRatesCannotAddUpToMoreThanOne() {
    Faults faults = new Faults().rate(Fault.TOO_MANY_REQUESTS, 0.6);
    assertThatThrownBy(() -> faults.rate(Fault.SERVICE_UNAVAILABLE, 0.5))
        .isInstanceOf(IllegalArgumentException.class);
    faults.rate(Fault.TOO_MANY_REQUESTS, 0.5).rate(Fault.SERVICE_UNAVAILABLE, 0.5);
  }

  private List<Integer> statusesWithSeed(long seed, int count) {
    sim.reset();
    sim.faults()
        .seed(seed)
        .rate(Fault.SERVICE_UNAVAILABLE, 0.3)
        .rate(Fault.INTERNAL_SERVER_ERROR, 0.1);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      statuses.add(api.get("/connect").status());
    }
    return statuses;
  }

  private HttpRequest createRequest(long user) {
    return api.request("/servers")
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofString(
                new JsonObject()
                    .put("packageId", 1)
                    .put("userId", user)
                    .put("hypervisorId", 1)
                    .encode()))
        .build();
  }
}
