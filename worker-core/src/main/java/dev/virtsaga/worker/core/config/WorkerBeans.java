package dev.virtsaga.worker.core.config;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.worker.core.service.CompletedTasks;
import dev.virtsaga.worker.core.service.ProviderHosts;
import dev.virtsaga.worker.core.service.TaskEventSink;
import dev.virtsaga.worker.core.service.TaskProcessor;
import dev.virtsaga.worker.core.service.TaskSettings;
import io.quarkus.arc.DefaultBean;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires the plain-Java task runtime. The application supplies exactly one {@link Provider} bean
 * (the adapter of its default host) and, when it reaches several hosts, a {@link ProviderHosts}
 * bean with one adapter per host.
 */
public class WorkerBeans {

  /** A worker that reaches one host. */
  @Produces
  @Singleton
  @DefaultBean
  ProviderHosts singleHost(Provider provider) {
    return ProviderHosts.single(provider);
  }

  @Produces
  @Singleton
  TaskProcessor taskProcessor(ProviderHosts hosts, TaskEventSink sink, WorkerConfig config) {
    Provider provider = hosts.primary();
    if (!config.provider().equals(provider.name())) {
      throw new IllegalStateException(
          "virtsaga.worker.provider="
              + config.provider()
              + " but the adapter is "
              + provider.name());
    }
    Clock clock = Clock.systemUTC();
    return new TaskProcessor(
        hosts,
        sink,
        new CompletedTasks(config.completedCache().size(), config.completedCache().ttl(), clock),
        new TaskSettings(
            config.provider(),
            config.pollInterval(),
            config.maxTaskDuration(),
            config.guestIpWait()),
        clock,
        Infrastructure.getDefaultWorkerPool());
  }
}
