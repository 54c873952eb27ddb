package dev.virtsaga.worker.core.messaging;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.provider.ProviderHealth;
import dev.virtsaga.events.provider.ProviderStatus;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.worker.core.config.WorkerConfig;
import dev.virtsaga.worker.core.service.ProviderHosts;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

/**
 * Declares the worker's provider on the compacted {@code vm.providers.v1}: its capabilities and
 * whether the hypervisor answers ({@link Provider#validate()}), at start and then every {@code
 * virtsaga.worker.status-interval}. The gateway uses it to refuse up front what the provider cannot
 * do, to answer {@code GET /v1/providers}, and to find this worker's HTTP endpoint ({@code
 * virtsaga.worker.advertised-url}, default {@code http://127.0.0.1:<quarkus.http.port>}) for reads
 * that go to the hypervisor (a VM's disks).
 */
@ApplicationScoped
public class ProviderStatusPublisher {
  private static final Logger LOG = Logger.getLogger(ProviderStatusPublisher.class);

  private final Provider provider;
  private final ProviderHosts hosts;
  private final MutinyEmitter<String> emitter;
  private final WorkerConfig config;
  private final String source;
  private final String advertisedUrl;
  private final Clock clock = Clock.systemUTC();
  private volatile long timer = -1;

  public ProviderStatusPublisher(
      ProviderHosts hosts,
      @Channel(TaskChannels.PROVIDER_STATUS) @OnOverflow(OnOverflow.Strategy.DROP)
          MutinyEmitter<String> emitter,
      WorkerConfig config) {
    this.provider = hosts.primary();
    this.hosts = hosts;
    this.emitter = emitter;
    this.config = config;
    this.source = config.source().orElse("urn:virtsaga:worker:" + config.provider());
    this.advertisedUrl = config.advertisedUrl().orElse(null);
  }

  /**
   * The worker's HTTP base URL as the gateway should call it: {@code
   * virtsaga.worker.advertised-url}, or this process on the loopback address at the configured port
   * ({@code quarkus.http.port}; {@code quarkus.http.test-port} in tests). A worker on a random port
   * ({@code 0}) or behind a Service must set the advertised URL.
   */
  String endpoint() {
    if (advertisedUrl != null && !advertisedUrl.isBlank()) {
      return advertisedUrl.strip();
    }
    boolean test = LaunchMode.current() == LaunchMode.TEST;
    int port =
        ConfigProvider.getConfig()
            .getOptionalValue(test ? "quarkus.http.test-port" : "quarkus.http.port", Integer.class)
            .orElse(test ? 8081 : 8080);
    return "http://127.0.0.1:" + port;
  }

  void start(@Observes StartupEvent ev, Vertx vertx) {
    publishQuietly();
    timer = vertx.setPeriodic(config.statusInterval().toMillis(), id -> publishQuietly());
  }

  void stop(@Observes ShutdownEvent ev, Vertx vertx) {
    vertx.cancelTimer(timer);
  }

  private void publishQuietly() {
    publish()
        .subscribe()
        .with(
            ok -> {},
            t -> LOG.warnf("could not publish the status of provider %s: %s", provider.name(), t));
  }

  /** Checks the provider and publishes what it found. */
  public Uni<ProviderStatus> publish() {
    return status().call(s -> emitter.sendMessage(toMessage(s)));
  }

  /** Read after {@link Provider#validate()}: an adapter may detect them there. */
  private java.util.List<String> capabilities() {
    return provider.capabilities().stream().map(Enum::name).sorted().toList();
  }

  /** The provider's status now. */
  public Uni<ProviderStatus> status() {
    String endpoint = endpoint();
    return provider
        .validate()
        .ifNoItem()
        .after(config.healthTimeout())
        .fail()
        .map(
            ok ->
                new ProviderStatus(
                    provider.name(),
                    capabilities(),
                    ProviderHealth.HEALTHY,
                    clock.instant(),
                    null,
                    endpoint,
                    hosts.names()))
        .onFailure()
        .recoverWithItem(
            t ->
                new ProviderStatus(
                    provider.name(),
                    capabilities(),
                    healthOf(t),
                    clock.instant(),
                    String.valueOf(t.getMessage()),
                    endpoint,
                    hosts.names()));
  }

  /**
   * UNREACHABLE when the provider did not answer (timeout, UNAVAILABLE, TIMEOUT), else UNHEALTHY.
   */
  public static ProviderHealth healthOf(Throwable t) {
    if (t instanceof TimeoutException) {
      return ProviderHealth.UNREACHABLE;
    }
    if (t instanceof ProviderException p
        && (p.type() == ErrorType.UNAVAILABLE || p.type() == ErrorType.TIMEOUT)) {
      return ProviderHealth.UNREACHABLE;
    }
    return ProviderHealth.UNHEALTHY;
  }

  private Message<String> toMessage(ProviderStatus status) {
    CloudEvent ce =
        CloudEvent.of(
            source, status.provider(), status, Map.of(CloudEvent.EXT_PROVIDER, status.provider()));
    return Message.of(ce.data())
        .addMetadata(
            OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(status.provider())
                .withHeaders(KafkaCloudEvents.toHeaders(ce))
                .build());
  }
}
