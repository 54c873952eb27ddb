package dev.virtsaga.providers.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.CreateResult;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.VmDescription;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;

/** libvirt-specific behaviour of the adapter, on the in-process test driver. */
class LibvirtProviderTest {
  private static final Duration CALL = Duration.ofSeconds(30);

  private TestDriver driver;
  private ExecutorService executor;
  private LibvirtProvider provider;
  private final Set<String> threads = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void connect() throws LibvirtException {
    driver = new TestDriver();
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "libvirt-test-pool");
              t.setDaemon(true);
              return t;
            });
    provider =
        new LibvirtProvider(
            TestDriver.URI,
            command ->
                executor.execute(
                    () -> {
                      threads.add(Thread.currentThread().getName());
                      command.run();
                    }));
  }

  @AfterEach
  void disconnect() throws LibvirtException {
    provider.close();
    executor.shutdownNow();
    driver.close();
  }

  private static CreateRequest request(String name) {
    String vmId = UUID.randomUUID().toString();
    return new CreateRequest(vmId, "op-" + vmId, name, 2, 128, 0, null, Map.of());
  }

  private static <T> T call(Uni<T> uni) {
    return uni.await().atMost(CALL);
  }

  private static ErrorType errorOf(Uni<?> uni) {
    try {
      uni.await().atMost(CALL);
    } catch (ProviderException e) {
      return e.type();
    }
    throw new AssertionError("expected a ProviderException");
  }

  @Test
  void createDefinesAStoppedDomainTaggedWithVmIdAndOperation() throws LibvirtException {
    // Given
    CreateRequest request = request("web server/1");

    // When
    CreateResult result = call(provider.create(request));

    // Then
    List<Domain> tagged = driver.domainsTaggedWith(request.vmId());
    assertThat(tagged).hasSize(1);
    Domain d = tagged.get(0);
    assertThat(d.getUUIDString()).isEqualTo(result.providerRef());
    assertThat(d.getName()).isEqualTo(DomainXml.domainName("web server/1", request.vmId()));
    assertThat(d.getName()).startsWith("web-server-1-");
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_SHUTOFF);
    assertThat(d.getInfo().nrVirtCpu).isEqualTo(2);
    assertThat(TestDriver.tagOf(d))
        .contains(new DomainXml.Tag(request.vmId(), request.operationId()));
  }

  @Test
  void createTwiceLeavesExactlyOneDomain() throws LibvirtException {
    // Given
    CreateRequest request = request("twice");
    call(provider.create(request));

    // When
    CreateResult again = call(provider.create(request));

    // Then
    assertThat(again.created()).isFalse();
    assertThat(driver.domainsTaggedWith(request.vmId())).hasSize(1);
  }

  @Test
  void anUntaggedDomainInTheWayIsAConflictAndIsLeftAlone() throws LibvirtException {
    // Given: someone else's domain holds the UUID our VM would get
    CreateRequest request = request("squatted");
    String squatter = "squatter-" + request.vmId().substring(0, 8);
    driver.defineUnmanaged(squatter, DomainXml.uuidOf(request.vmId()).toString());

    // When / Then
    assertThat(errorOf(provider.create(request))).isEqualTo(ErrorType.CONFLICT);
    assertThat(call(provider.describe(request.vmId(), null)).exists()).isFalse();
    assertThat(driver.connect.domainLookupByName(squatter)).isNotNull();
    driver.undefine(squatter);
  }

  @Test
  void deleteRemovesARunningDomainAndSucceedsWhenItIsGone() throws LibvirtException {
    // Given
    CreateRequest request = request("doomed");
    String ref = call(provider.create(request)).providerRef();
    call(provider.power(request.vmId(), ref, PowerOp.ON));

    // When
    call(provider.delete(request.vmId(), ref));
    call(provider.delete(request.vmId(), ref));

    // Then
    assertThat(driver.domainsTaggedWith(request.vmId())).isEmpty();
  }

  @Test
  void powerOperationsMoveTheDomainThroughItsStates() throws LibvirtException {
    // Given
    CreateRequest request = request("power");
    String ref = call(provider.create(request)).providerRef();
    Domain d = driver.connect.domainLookupByUUIDString(ref);

    // When / Then
    call(provider.power(request.vmId(), ref, PowerOp.ON));
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
    call(provider.power(request.vmId(), ref, PowerOp.REBOOT));
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
    call(provider.power(request.vmId(), ref, PowerOp.SUSPEND));
    assertThat(call(provider.describe(request.vmId(), ref)).power()).isEqualTo(PowerState.PAUSED);
    call(provider.power(request.vmId(), ref, PowerOp.ON));
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_RUNNING);
    call(provider.power(request.vmId(), ref, PowerOp.SHUTDOWN_GRACEFUL));
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_SHUTOFF);
    call(provider.power(request.vmId(), ref, PowerOp.ON));
    call(provider.power(request.vmId(), ref, PowerOp.OFF));
    assertThat(d.getInfo().state).isEqualTo(DomainState.VIR_DOMAIN_SHUTOFF);
    assertThat(errorOf(provider.power(request.vmId(), ref, PowerOp.RESUME)))
        .isEqualTo(ErrorType.CONFLICT);

    call(provider.delete(request.vmId(), ref));
  }

  @Test
  void describeFindsTheDomainWithoutAProviderRefAndIgnoresAForeignOne() {
    // Given
    CreateRequest a = request("a");
    CreateRequest b = request("b");
    String refA = call(provider.create(a)).providerRef();
    String refB = call(provider.create(b)).providerRef();

    // When
    VmDescription byVmId = call(provider.describe(a.vmId(), null));
    VmDescription withForeignRef = call(provider.describe(a.vmId(), refB));
    VmDescription withGarbageRef = call(provider.describe(a.vmId(), "not-a-uuid"));

    // Then
    assertThat(byVmId.providerRef()).isEqualTo(refA);
    assertThat(withForeignRef.providerRef()).isEqualTo(refA);
    assertThat(withGarbageRef.providerRef()).isEqualTo(refA);
    assertThat(byVmId.power()).isEqualTo(PowerState.OFF);
    assertThat(byVmId.raw()).containsEntry("operationId", a.operationId()).containsKey("name");

    call(provider.delete(a.vmId(), refA));
    call(provider.delete(b.vmId(), refB));
  }

  @Test
  void listNeverShowsTheTestDriversOwnDomain() {
    // Given: test:///default always has a running domain called "test"

    // When
    var page = call(provider.list(null, 10_000));

    // Then
    assertThat(page.items()).noneMatch(d -> "test".equals(d.raw().get("name")));
  }

  @Test
  void blockingCallsRunOnTheGivenExecutor() {
    // When
    call(provider.validate());
    call(provider.describe(UUID.randomUUID().toString(), null));

    // Then
    assertThat(threads).containsExactly("libvirt-test-pool");
  }

  @Test
  void theNextCallReconnectsAfterTheConnectionDied() throws LibvirtException {
    // Given: an open connection that then dies
    CreateRequest request = request("survivor");
    call(provider.create(request));
    provider.connection().current().close();

    // When
    VmDescription d = call(provider.describe(request.vmId(), null));

    // Then
    assertThat(d.exists()).isTrue();
    assertThat(provider.connection().current()).isNotNull();
    call(provider.delete(request.vmId(), null));
  }

  @Test
  void anUnreachableDaemonIsUnavailable() {
    // Given
    try (LibvirtProvider remote = new LibvirtProvider("qemu+tcp://127.0.0.1:1/system", executor)) {
      // When / Then
      assertThat(errorOf(remote.validate())).isEqualTo(ErrorType.UNAVAILABLE);
      assertThat(errorOf(remote.describe("vm", null))).isEqualTo(ErrorType.UNAVAILABLE);
    }
  }

  @Test
  void impossibleSpecsNeverReachLibvirt() {
    // Given
    CreateRequest request = request("bad");
    CreateRequest noMemory =
        new CreateRequest(request.vmId(), "op", "bad", 1, 0, 0, null, Map.of());

    // When / Then
    assertThat(errorOf(provider.create(noMemory))).isEqualTo(ErrorType.INVALID_SPEC);
    assertThatThrownBy(() -> new LibvirtProvider("xen:///system", executor))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
