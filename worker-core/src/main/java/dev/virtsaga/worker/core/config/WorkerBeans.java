package dev.virtsaga.worker.core.config;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.worker.core.service.CompletedTasks;
import dev.virtsaga.worker.core.service.TaskEventSink;
import dev.virtsaga.worker.core.service.TaskProcessor;
import dev.virtsaga.worker.core.service.TaskSettings;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires the plain-Java task runtime. The application supplies exactly one {@link Provider} bean
 * (the adapter).
 */
public class WorkerBeans {

  @Produces
  @Singleton
  TaskProcessor taskProcessor(Provider provider, TaskEventSink sink, WorkerConfig config) {
    if (!config.provider().equals(provider.name())) {
      throw new IllegalStateException(
          "virtsaga.worker.provider="
              + config.provider()
              + " but the adapter is "
              + provider.name());
    }
    Clock clock = Clock.systemUTC();
    return new TaskProcessor(
        provider,
        sink,
        new CompletedTasks(config.completedCache().size(), config.completedCache().ttl(), clock),
        new TaskSettings(config.provider(), config.pollInterval(), config.maxTaskDuration()),
        clock,
        Infrastructure.getDefaultWorkerPool());
  }
}
