package dev.virtsaga.providers.virtfusion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.virtsaga.devstack.virtfusion.Faults.Fault;
import dev.virtsaga.devstack.virtfusion.RequestLog;
import dev.virtsaga.devstack.virtfusion.SimServer;
import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.RateLimit;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import dev.virtsaga.providers.spi.ReconfigureResult;
import dev.virtsaga.providers.spi.Snapshots;
import dev.virtsaga.providers.spi.TaskState;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the VirtFusion adapter does beyond the conformance kit, against the in-process simulator:
 * idempotent creates under faults, the compensation of failed builds, label resolution and its
 * caching, the rate limit, error types.
 */
class VirtFusionProviderTest {
  private static final Duration CALL = Duration.ofSeconds(60);
  private static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGq2c3Rlc3RrZXl0ZXN0a2V5dGVzdGtleXRlc3Rr test@virtsaga";

  private SimulatedVirtFusion virtfusion;
  private VirtFusionProvider provider;
  private final List<VirtFusionProvider> others = new ArrayList<>();

  @BeforeEach
  void start() {
    virtfusion = new SimulatedVirtFusion();
    provider = virtfusion.provider();
  }

  @AfterEach
  void stop() {
    others.forEach(VirtFusionProvider::close);
    provider.close();
    virtfusion.close();
  }

  private VirtFusionProvider another(VirtFusionSettings settings) {
    VirtFusionProvider p = virtfusion.provider(settings);
    others.add(p);
    return p;
  }

  private static <T> T call(Uni<T> uni) {
    return uni.await().atMost(CALL);
  }

  private static ProviderException errorOf(Uni<?> uni) {
    try {
      uni.await().atMost(CALL);
    } catch (ProviderException e) {
      return e;
    }
    throw new AssertionError("expected a ProviderException");
  }

  private static CreateRequest request(String name, Map<String, String> labels) {
    String vmId = "vm-" + UUID.randomUUID();
    return new CreateRequest(vmId, "op-" + vmId, name, 1, 256, 0, "ubuntu-22.04", labels);
  }

  private TaskState awaitTask(VirtFusionProvider p, String taskRef) {
    return await().atMost(CALL).until(() -> call(p.taskStatus(taskRef)), TaskState::isComplete);
  }

  /** Creates and waits for the build task; returns the result. */
  private CreateResult created(VirtFusionProvider p, CreateRequest r) {
    CreateResult result = call(p.create(r));
    if (result.taskRef() != null) {
      TaskState done = awaitTask(p, result.taskRef());
      assertThat(done.phase())
          .as("build of %s: %s", r.vmId(), done.error())
          .isEqualTo(TaskState.Phase.SUCCEEDED);
    }
    return result;
  }

  // ---- create ----------------------------------------------------------------------------------

  @Test
  void aCreateAllocatesInTheGroupBuildsTheTemplateAndLeavesTheServerStopped() {
    // Given
    CreateRequest r =
        request(
            "web-1",
            SimulatedVirtFusion.labels(
                Labels.NETWORK_PROFILE, "2",
                Labels.BANDWIDTH_MBPS, "100",
                Labels.FIREWALL_RULESETS, "7, 9"));

    // When
    CreateResult result = call(provider.create(r));

    // Then: a task that follows the build
    assertThat(result.created()).isTrue();
    assertThat(result.taskRef()).startsWith("vf-build:" + result.providerRef() + ":");
    TaskState done = awaitTask(provider, result.taskRef());
    assertThat(done.phase()).isEqualTo(TaskState.Phase.SUCCEEDED);

    // And: one built, stopped server tagged with the vmId, as asked
    SimServer s = virtfusion.sim.server(Long.parseLong(result.providerRef())).orElseThrow();
    assertThat(s.name()).isEqualTo("web-1 [vs:" + r.vmId() + "]");
    assertThat(s.hostname()).isEqualTo("web-1");
    assertThat(s.ownerId()).isEqualTo(virtfusion.userId);
    assertThat(s.groupId()).isEqualTo(1);
    assertThat(s.packageId()).isEqualTo(1);
    assertThat(s.networkProfileId()).isEqualTo(2);
    assertThat(s.firewallRulesets()).containsExactly(7L, 9L);
    assertThat(s.osTemplateId()).isEqualTo(101);
    assertThat(s.cpuCores()).isEqualTo(1);
    assertThat(s.memoryMb()).isEqualTo(256);
    assertThat(s.commissionStatus()).isEqualTo(3);
    assertThat(s.state()).isEqualTo("stopped");
    assertThat(virtfusion.server(s.id()).getJsonObject("settings").getJsonObject("resources"))
        .isNotNull();

    // And: described with its addresses
    VmDescription d = call(provider.describe(r.vmId(), null));
    assertThat(d.providerRef()).isEqualTo(result.providerRef());
    assertThat(d.power()).isEqualTo(PowerState.OFF);
    assertThat(d.ips()).containsExactlyElementsOf(s.ipv4());
    assertThat(d.ips()).allSatisfy(ip -> assertThat(ip).startsWith("10.10.2."));
  }

  @Test
  void withoutAProfileTheGroupsPrimaryNetworkIsUsedAndADiskSizeIsTheServersStorage() {
    // Given
    CreateRequest r =
        new CreateRequest("vm-" + UUID.randomUUID(), "op", "db", 2, 512, 40, null, Map.of());

    // When
    CreateResult result = created(provider, r);

    // Then
    SimServer s = virtfusion.sim.server(Long.parseLong(result.providerRef())).orElseThrow();
    assertThat(s.networkProfileId()).isEqualTo(1);
    assertThat(s.storageGb()).isEqualTo(40);
    assertThat(s.cpuCores()).isEqualTo(2);
  }

  @Test
  void underTwentyPercent429And503EveryServerIsCreatedExactlyOnce() {
    // Given: a fifth of all requests refused, with Retry-After on the 429s
    virtfusion
        .sim
        .faults()
        .seed(42)
        .retryAfter(Duration.ofMillis(200))
        .rate(Fault.TOO_MANY_REQUESTS, 0.1)
        .rate(Fault.SERVICE_UNAVAILABLE, 0.1);
    List<CreateRequest> requests = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      requests.add(request("node-" + i, Map.of()));
    }

    // When: all created at once, each create asked twice (a redelivery)
    List<CreateResult> results =
        Uni.join()
            .all(requests.stream().map(r -> provider.create(r)).toList())
            .andFailFast()
            .await()
            .atMost(CALL);
    List<CreateResult> again =
        Uni.join()
            .all(requests.stream().map(r -> provider.create(r)).toList())
            .andFailFast()
            .await()
            .atMost(CALL);
    results.forEach(
        res ->
            assertThat(awaitTask(provider, res.taskRef()).phase())
                .isEqualTo(TaskState.Phase.SUCCEEDED));

    // Then: the faults happened, and the simulator has exactly one built server per VM
    assertThat(virtfusion.sim.requestLog().entries()).anyMatch(RequestLog.Entry::injected);
    assertThat(again).extracting(CreateResult::created).containsOnly(false);
    assertThat(again)
        .extracting(CreateResult::providerRef)
        .containsExactlyElementsOf(results.stream().map(CreateResult::providerRef).toList());
    assertThat(virtfusion.sim.servers()).hasSize(requests.size());
    for (CreateRequest r : requests) {
      assertThat(virtfusion.serversOf(r.vmId()))
          .singleElement()
          .satisfies(s -> assertThat(s.commissionStatus()).isEqualTo(3));
    }
  }

  @Test
  void anAllocationWhoseAnswerWasLostIsRecognisedNotRepeated() {
    // Given: the answer to POST /servers is lost once (the server was made)
    virtfusion.sim.faults().scope("POST", "/servers$").next(Fault.LOST_RESPONSE, 1);
    CreateRequest r = request("lost", Map.of());

    // When
    CreateResult result = created(provider, r);

    // Then: that server became the VM, no second one was made
    assertThat(virtfusion.sim.requestLog().entries("POST", "/servers$")).hasSize(1);
    assertThat(virtfusion.sim.servers())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.id()).isEqualTo(Long.parseLong(result.providerRef()));
              assertThat(ServerTag.vmIdOf(s.name())).contains(r.vmId());
            });
  }

  @Test
  void aBuildWhoseAnswerWasLostIsFollowedByTheServersState() {
    // Given: the answer to the build is lost once (the build was queued)
    virtfusion.sim.faults().scope("POST", "/build$").next(Fault.LOST_RESPONSE, 1);
    CreateRequest r = request("lost-build", Map.of());

    // When
    CreateResult result = created(provider, r);

    // Then
    assertThat(result.taskRef()).endsWith(":0");
    assertThat(virtfusion.sim.requestLog().entries("POST", "/build$")).hasSize(1);
    assertThat(virtfusion.serversOf(r.vmId()))
        .singleElement()
        .satisfies(s -> assertThat(s.state()).isEqualTo("stopped"));
  }

  @Test
  void aHalfMadeServerIsFoundAgainAndBuiltNotMadeTwice() {
    // Given: a create whose build could not be queued (VirtFusion unavailable throughout)
    virtfusion.sim.faults().scope("POST", "/build$").rate(Fault.SERVICE_UNAVAILABLE, 1.0);
    CreateRequest r = request("half", Map.of());
    assertThat(errorOf(provider.create(r)).type()).isEqualTo(ErrorType.UNAVAILABLE);
    assertThat(virtfusion.serversOf(r.vmId()))
        .singleElement()
        .satisfies(s -> assertThat(s.commissionStatus()).isZero());

    // When: VirtFusion is back and the create is retried
    virtfusion.sim.faults().clear();
    CreateResult result = created(provider, r);

    // Then: the same server, built
    assertThat(result.created()).isFalse();
    assertThat(virtfusion.sim.requestLog().entries("POST", "/servers$")).hasSize(1);
    assertThat(virtfusion.serversOf(r.vmId()))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.id()).isEqualTo(Long.parseLong(result.providerRef()));
              assertThat(s.commissionStatus()).isEqualTo(3);
            });
  }

  @Test
  void aFailedBuildDeletesItsServerAndFailsTheTask() {
    // Given
    virtfusion.sim.failNextBuilds(1);
    CreateRequest r = request("doomed", Map.of());

    // When
    CreateResult result = call(provider.create(r));
    TaskState done = awaitTask(provider, result.taskRef());

    // Then: the task failed with the build's reason, and the half-made server is gone
    assertThat(done.phase()).isEqualTo(TaskState.Phase.FAILED);
    assertThat(done.error().type()).isEqualTo(ErrorType.RETRYABLE);
    assertThat(done.error().getMessage())
        .contains("could not be installed")
        .contains("the server was deleted");
    assertThat(virtfusion.sim.requestLog().entries("DELETE", "/servers/" + result.providerRef()))
        .isNotEmpty();
    assertThat(virtfusion.sim.servers()).isEmpty();
    assertThat(call(provider.describe(r.vmId(), result.providerRef())).exists()).isFalse();

    // And: a retried create starts afresh
    CreateResult retried = created(provider, r);
    assertThat(retried.created()).isTrue();
    assertThat(virtfusion.serversOf(r.vmId())).hasSize(1);
  }

  @Test
  void theTaskOfABuildIsFollowedByAnotherAdapterToo() {
    // Given: a build started by one adapter (e.g. before a worker restart)
    CreateRequest r = request("handover", Map.of());
    CreateResult result = call(provider.create(r));

    // When: another adapter is asked about the task
    VirtFusionProvider restarted = another(virtfusion.settings());
    TaskState done = awaitTask(restarted, result.taskRef());

    // Then
    assertThat(done.phase()).isEqualTo(TaskState.Phase.SUCCEEDED);
    assertThat(errorOf(restarted.taskStatus("vf-build:1:999999")).type())
        .isEqualTo(ErrorType.NOT_FOUND);
    assertThat(errorOf(restarted.taskStatus("something-else")).type())
        .isEqualTo(ErrorType.NOT_FOUND);
  }

  // ---- labels ----------------------------------------------------------------------------------

  @Test
  void anUnknownNetworkProfileIsInvalidAndAllocatesNothing() {
    // Given
    CreateRequest r = request("bad-net", SimulatedVirtFusion.labels(Labels.NETWORK_PROFILE, "99"));

    // When
    ProviderException e = errorOf(provider.create(r));

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(e.getMessage())
        .contains("network profile 99")
        .contains("Prague (1)")
        .contains("1 Public (primary)");
    assertThat(virtfusion.sim.requestLog().entries("POST", "/servers")).isEmpty();
    assertThat(virtfusion.sim.servers()).isEmpty();
  }

  @Test
  void aGroupWithoutNetworksIsAClearErrorAndGroupsAreFoundByIdOrName() {
    // Given
    CreateRequest lab = request("lab", SimulatedVirtFusion.labels(Labels.HYPERVISOR_GROUP, "Lab"));
    CreateRequest fra = request("fra", SimulatedVirtFusion.labels(Labels.HYPERVISOR_GROUP, "2"));
    CreateRequest nowhere =
        request("x", SimulatedVirtFusion.labels(Labels.HYPERVISOR_GROUP, "Atlantis"));

    // When / Then
    assertThat(errorOf(provider.create(lab)).getMessage())
        .contains("Lab (3)")
        .contains("no primary or default network");
    CreateResult inFrankfurt = created(provider, fra);
    assertThat(virtfusion.sim.server(Long.parseLong(inFrankfurt.providerRef())).orElseThrow())
        .satisfies(
            s -> {
              assertThat(s.groupId()).isEqualTo(2);
              assertThat(s.networkProfileId()).isEqualTo(3); // the default, no primary there
            });
    ProviderException unknown = errorOf(provider.create(nowhere));
    assertThat(unknown.type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(unknown.getMessage()).contains("Atlantis").contains("Prague (1)");
  }

  @Test
  void tenantsTemplatesAndSshKeysAreLookedUpOnceAndTheKeyIsRegisteredOnce() {
    // Given: three VMs of one tenant with a key the user does not have yet
    Map<String, String> labels =
        SimulatedVirtFusion.labels(
            Labels.TENANT,
            SimulatedVirtFusion.TENANT,
            Labels.SSH_KEY_NAME,
            "deploy",
            Labels.SSH_PUBLIC_KEY,
            KEY);
    List<CreateRequest> requests =
        List.of(request("a", labels), request("b", labels), request("c", labels));

    // When
    List<CreateResult> results = new ArrayList<>();
    for (CreateRequest r : requests) {
      results.add(created(provider, r));
    }

    // Then: one lookup each, one registration
    RequestLog log = virtfusion.sim.requestLog();
    assertThat(log.entries("GET", "/users/4242/byExtRelation")).hasSize(1);
    assertThat(log.entries("GET", "/ssh_keys/user/")).hasSize(1);
    assertThat(log.entries("POST", "/ssh_keys$")).hasSize(1);
    assertThat(log.entries("GET", "/media/templates/fromServerPackageSpec/1")).hasSize(1);
    assertThat(log.entries("GET", "/compute/hypervisors/groups$")).hasSize(1);

    // And: every server has the key
    for (CreateResult res : results) {
      assertThat(virtfusion.server(Long.parseLong(res.providerRef())).getJsonArray("sshKeys"))
          .singleElement()
          .satisfies(k -> assertThat(k.toString()).contains("\"name\":\"deploy\""));
    }
  }

  @Test
  void aKeyTheUserHasIsFoundByNameAndNotRegisteredAgain() {
    // Given
    long keyId = virtfusion.addSshKey("laptop", KEY);
    virtfusion.sim.requestLog().clear();
    CreateRequest r = request("k", SimulatedVirtFusion.labels(Labels.SSH_KEY_NAME, "laptop"));

    // When
    CreateResult result = created(provider, r);

    // Then
    assertThat(virtfusion.sim.requestLog().entries("POST", "/ssh_keys$")).isEmpty();
    assertThat(virtfusion.server(Long.parseLong(result.providerRef())).getJsonArray("sshKeys"))
        .singleElement()
        .satisfies(k -> assertThat(k.toString()).contains("\"id\":" + keyId));
  }

  @Test
  void aCachedKeyDeletedInVirtFusionIsLookedUpAgainAndRegisteredAnew() {
    // Given: a key registered and cached by a first create, then deleted in VirtFusion
    Map<String, String> labels =
        SimulatedVirtFusion.labels(Labels.SSH_KEY_NAME, "ops", Labels.SSH_PUBLIC_KEY, KEY);
    created(provider, request("first", labels));
    long keyId =
        virtfusion
            .call("GET", "/ssh_keys/user/" + virtfusion.userId, null)
            .getJsonArray("data")
            .getJsonObject(0)
            .getLong("id");
    virtfusion.call("DELETE", "/ssh_keys/" + keyId, null);

    // When
    CreateResult second = created(provider, request("second", labels));

    // Then: built with the key registered anew, and nothing deleted
    assertThat(virtfusion.sim.requestLog().entries("POST", "/ssh_keys$")).hasSize(2);
    assertThat(virtfusion.server(Long.parseLong(second.providerRef())).getJsonArray("sshKeys"))
        .singleElement()
        .satisfies(k -> assertThat(k.toString()).doesNotContain("\"id\":" + keyId + ","));
    assertThat(virtfusion.sim.servers()).hasSize(2);
  }

  @Test
  void aKeyRegistrationWhoseAnswerWasLostIsFoundNotRepeated() {
    // Given
    virtfusion.sim.faults().scope("POST", "/ssh_keys$").next(Fault.LOST_RESPONSE, 1);
    CreateRequest r =
        request(
            "lost-key",
            SimulatedVirtFusion.labels(Labels.SSH_KEY_NAME, "ci", Labels.SSH_PUBLIC_KEY, KEY));

    // When
    CreateResult result = created(provider, r);

    // Then
    assertThat(virtfusion.sim.requestLog().entries("POST", "/ssh_keys$")).hasSize(1);
    assertThat(virtfusion.server(Long.parseLong(result.providerRef())).getJsonArray("sshKeys"))
        .singleElement()
        .satisfies(k -> assertThat(k.toString()).contains("\"name\":\"ci\""));
  }

  @Test
  void unknownTenantsKeysAndTemplatesAreInvalidBeforeAnythingIsAllocated() {
    // Given
    CreateRequest stranger = request("s", SimulatedVirtFusion.labels(Labels.TENANT, "777"));
    CreateRequest noKey = request("k", SimulatedVirtFusion.labels(Labels.SSH_KEY_NAME, "missing"));
    CreateRequest rocky =
        new CreateRequest(
            "vm-" + UUID.randomUUID(), "op", "r", 1, 256, 0, "Rocky Linux 9", Map.of());
    CreateRequest vague =
        new CreateRequest("vm-" + UUID.randomUUID(), "op", "u", 1, 256, 0, "ubuntu", Map.of());
    CreateRequest badLabel = request("b", SimulatedVirtFusion.labels(Labels.PUBLIC_IP, "maybe"));

    // When / Then
    assertThat(errorOf(provider.create(stranger)))
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC);
              assertThat(e.getMessage()).contains("tenant 777");
            });
    assertThat(errorOf(provider.create(noKey)).getMessage()).contains("no SSH key named 'missing'");
    assertThat(errorOf(provider.create(rocky)).getMessage())
        .contains("no template matches image 'Rocky Linux 9'")
        .contains("101 Ubuntu 22.04");
    assertThat(errorOf(provider.create(vague)).getMessage())
        .contains("no template matches image 'ubuntu'");
    assertThat(errorOf(provider.create(badLabel)).type()).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(virtfusion.sim.requestLog().entries("POST", "/servers")).isEmpty();
  }

  @Test
  void aNumericImageIsATemplateIdAndAPublicIpCanBeLeftOut() {
    // Given
    CreateRequest r =
        new CreateRequest(
            "vm-" + UUID.randomUUID(),
            "op",
            "deb",
            1,
            256,
            0,
            "103",
            SimulatedVirtFusion.labels(Labels.PUBLIC_IP, "false"));

    // When
    CreateResult result = created(provider, r);

    // Then
    SimServer s = virtfusion.sim.server(Long.parseLong(result.providerRef())).orElseThrow();
    assertThat(s.osTemplateId()).isEqualTo(103);
    assertThat(s.ipv4()).isEmpty();
  }

  // ---- power, reconfigure, delete --------------------------------------------------------------

  @Test
  void powerOperationsWaitForTheBuildAndFollowTheQueue() {
    // Given: a create whose build is still running
    virtfusion.sim.buildDuration(Duration.ofMillis(500));
    CreateRequest r = request("p", Map.of());
    CreateResult result = call(provider.create(r));

    // When: started at once
    call(provider.power(r.vmId(), result.providerRef(), PowerOp.ON));

    // Then
    assertThat(call(provider.describe(r.vmId(), result.providerRef())).power())
        .isEqualTo(PowerState.ON);
    call(provider.power(r.vmId(), result.providerRef(), PowerOp.SHUTDOWN_GRACEFUL));
    await()
        .atMost(CALL)
        .until(
            () -> call(provider.describe(r.vmId(), result.providerRef())).power(),
            p -> p == PowerState.OFF);
  }

  @Test
  void cpusAndMemoryChangeDisksAreNotSupported() {
    // Given
    CreateRequest r = request("re", Map.of());
    CreateResult result = created(provider, r);
    long id = Long.parseLong(result.providerRef());

    // When
    ReconfigureResult changed =
        call(provider.reconfigure(r.vmId(), null, new ReconfigureRequest(2, 512L, List.of())));
    ReconfigureResult same =
        call(
            provider.reconfigure(
                r.vmId(),
                null,
                new ReconfigureRequest(
                    2, 512L, List.of(new ReconfigureRequest.DiskChange("root", 25)))));

    // Then
    assertThat(changed.changed()).isTrue();
    assertThat(changed.restartRequired()).isFalse();
    assertThat(same.changed()).isFalse();
    SimServer s = virtfusion.sim.server(id).orElseThrow();
    assertThat(s.cpuCores()).isEqualTo(2);
    assertThat(s.memoryMb()).isEqualTo(512);
    assertThat(
            errorOf(provider.reconfigure(r.vmId(), null, ReconfigureRequest.disk("root", 50)))
                .type())
        .isEqualTo(ErrorType.NOT_SUPPORTED);
    assertThat(
            errorOf(provider.reconfigure(r.vmId(), null, ReconfigureRequest.disk("data", 5)))
                .type())
        .isEqualTo(ErrorType.NOT_SUPPORTED);
    assertThat(virtfusion.sim.server(id).orElseThrow().storageGb()).isEqualTo(25);

    // And: a running server takes the change at its next boot
    call(provider.power(r.vmId(), null, PowerOp.ON));
    assertThat(
            call(provider.reconfigure(r.vmId(), null, ReconfigureRequest.cpus(1)))
                .restartRequired())
        .isTrue();
  }

  @Test
  void whatVirtFusionCannotDoIsNotSupported() {
    assertThat(provider.capabilities())
        .containsExactlyInAnyOrder(
            Capability.GRACEFUL_SHUTDOWN,
            Capability.REBOOT,
            Capability.SUSPEND_RESUME,
            Capability.DISKS,
            Capability.ASYNC_TASKS,
            Capability.RECONFIGURE,
            Capability.WATCH);
    try {
      Capability.of(provider, Snapshots.class);
      throw new AssertionError("snapshots are not offered");
    } catch (ProviderException e) {
      assertThat(e.type()).isEqualTo(ErrorType.NOT_SUPPORTED);
    }
  }

  @Test
  void aDeletedServerIsGoneAndDeletingItAgainSucceeds() {
    // Given
    CreateRequest r = request("del", Map.of());
    CreateResult result = created(provider, r);

    // When
    call(provider.delete(r.vmId(), result.providerRef()));
    call(provider.delete(r.vmId(), result.providerRef()));
    call(provider.delete(r.vmId(), null));

    // Then
    assertThat(virtfusion.sim.servers()).isEmpty();
    assertThat(virtfusion.sim.requestLog().entries("DELETE", "/servers/"))
        .allSatisfy(e -> assertThat(e.query()).isEqualTo("delay=0"));
    assertThat(call(provider.describe(r.vmId(), result.providerRef())))
        .isEqualTo(VmDescription.absent(r.vmId()));
  }

  @Test
  void anUnmanagedServerIsNeverTouchedEvenByItsId() {
    // Given
    long id = virtfusion.allocate("someone else's");

    // When
    VmDescription d = call(provider.describe("vm-x", Long.toString(id)));
    call(provider.delete("vm-x", Long.toString(id)));

    // Then
    assertThat(d.exists()).isFalse();
    assertThat(virtfusion.sim.server(id)).isPresent();
  }

  // ---- rate limit, retries, errors -------------------------------------------------------------

  @Test
  void theRateLimiterNeverExceedsItsRate() {
    // Given: 5 requests/s, burst 2
    VirtFusionProvider limited = another(virtfusion.settings().withRateLimit(new RateLimit(5, 2)));

    // When: 30 reads at once
    Uni.join()
        .all(
            java.util.stream.IntStream.range(0, 30)
                .mapToObj(i -> limited.describe("vm-" + i, Long.toString(100000 + i)))
                .toList())
        .andFailFast()
        .await()
        .atMost(CALL);

    // Then: within any second, at most burst + rate; over 4 s at most 2 + 20
    RequestLog log = virtfusion.sim.requestLog();
    assertThat(log.size()).isEqualTo(30);
    assertThat(log.peak(Duration.ofSeconds(1))).isLessThanOrEqualTo(7);
    assertThat(log.peak(Duration.ofSeconds(4))).isLessThanOrEqualTo(22);
    List<Instant> at = log.entries().stream().map(RequestLog.Entry::at).sorted().toList();
    assertThat(Duration.between(at.get(0), at.get(at.size() - 1)))
        .isGreaterThanOrEqualTo(Duration.ofMillis(5000 - 100));
  }

  @Test
  void a429IsRetriedNoSoonerThanItsRetryAfter() {
    // Given
    virtfusion.sim.faults().retryAfter(Duration.ofSeconds(1)).next(Fault.TOO_MANY_REQUESTS, 1);

    // When
    call(provider.validate());

    // Then
    List<RequestLog.Entry> tries = virtfusion.sim.requestLog().entries("GET", "/connect");
    assertThat(tries).extracting(RequestLog.Entry::status).containsExactly(429, 200);
    assertThat(Duration.between(tries.get(0).at(), tries.get(1).at()))
        .isGreaterThanOrEqualTo(Duration.ofMillis(990));
  }

  @Test
  void retriesSpentEndInTheErrorOfTheLastAnswer() {
    // Given: one attempt only
    VirtFusionProvider once =
        another(
            virtfusion
                .settings()
                .withRetry(new VirtFusionSettings.Retry(1, Duration.ZERO, Duration.ZERO)));

    // When / Then
    virtfusion.sim.faults().retryAfter(Duration.ZERO).next(Fault.TOO_MANY_REQUESTS, 1);
    assertThat(errorOf(once.validate()).type()).isEqualTo(ErrorType.RATE_LIMIT);
    virtfusion.sim.faults().next(Fault.SERVICE_UNAVAILABLE, 1);
    assertThat(errorOf(once.validate()).type()).isEqualTo(ErrorType.UNAVAILABLE);
    virtfusion.sim.faults().next(Fault.INTERNAL_SERVER_ERROR, 1);
    assertThat(errorOf(once.validate()).type()).isEqualTo(ErrorType.RETRYABLE);
    virtfusion.sim.faults().next(Fault.DROP_CONNECTION, 1);
    assertThat(errorOf(once.validate()).type()).isEqualTo(ErrorType.UNAVAILABLE);
  }

  @Test
  void aSlowAnswerIsATimeout() {
    // Given: answers take 1 s, requests may take 200 ms
    virtfusion.sim.faults().latency(Duration.ofSeconds(1));
    VirtFusionSettings s = virtfusion.settings();
    VirtFusionProvider impatient =
        another(
            s.withTimeouts(
                    new dev.virtsaga.providers.spi.ProviderTimeouts(
                        s.timeouts().instanceReady(),
                        s.timeouts().actionComplete(),
                        s.timeouts().pollInterval(),
                        Duration.ofMillis(200)))
                .withRetry(new VirtFusionSettings.Retry(2, Duration.ZERO, Duration.ZERO)));

    // When / Then
    assertThat(errorOf(impatient.validate()).type()).isEqualTo(ErrorType.TIMEOUT);
  }

  @Test
  void aWrongTokenIsUnauthorizedAndNeverShown() {
    // Given
    String wrong = "wrong-token-" + UUID.randomUUID();
    VirtFusionSettings s = virtfusion.settings();
    VirtFusionProvider stranger =
        another(
            new VirtFusionSettings(
                s.baseUrl(),
                wrong,
                s.defaults(),
                s.rateLimit(),
                s.timeouts(),
                s.retry(),
                s.watch(),
                s.cacheTtl()));

    // When
    ProviderException e = errorOf(stranger.validate());

    // Then
    assertThat(e.type()).isEqualTo(ErrorType.UNAUTHORIZED);
    assertThat(e.getMessage()).doesNotContain(wrong);
    assertThat(stranger.settings().toString()).doesNotContain(wrong).contains("<redacted>");
  }

  @Test
  void hypervisorGroupsAreListedWithTheirNetworks() {
    // When
    List<HypervisorGroup> groups = call(provider.hypervisorGroups());

    // Then
    assertThat(groups)
        .extracting(HypervisorGroup::name)
        .containsExactly("Prague", "Frankfurt", "Lab");
    assertThat(groups.get(0).networks())
        .extracting(HypervisorGroup.NetworkProfile::toString)
        .containsExactly("1 Public (primary)", "2 Private (default)");
    assertThat(groups.get(2).networks()).isEmpty();
    assertThat(call(provider.hypervisors())).hasSize(4);
  }
}
