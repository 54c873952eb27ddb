package dev.virtsaga.worker.kubevirt.config;

import dev.virtsaga.providers.kubevirt.KubeVirtProvider;
import dev.virtsaga.providers.kubevirt.KubeVirtSettings;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.worker.core.service.ProviderHosts;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The adapter worker-core runs: one {@link KubeVirtProvider} (one Kubernetes API) whose blocking
 * fabric8 calls run on the worker pool, and the nodes it reaches through it.
 */
@Singleton
public class KubeVirtBeans {
  private static final Logger LOG = Logger.getLogger(KubeVirtBeans.class);

  @Produces
  @Singleton
  KubeVirtProvider kubeVirtProvider(KubeVirtConfig config) {
    KubeVirtSettings settings = settings(config);
    LOG.infof("KubeVirt worker: %s", settings); // the token is redacted
    return new KubeVirtProvider(settings, Infrastructure.getDefaultWorkerPool());
  }

  void close(@Disposes KubeVirtProvider provider) {
    provider.close();
  }

  /** The configured nodes, each reached through the one provider (its address is its name). */
  @Produces
  @Singleton
  ProviderHosts kubeVirtHosts(KubeVirtProvider provider, KubeVirtConfig config) {
    ProviderHosts hosts =
        ProviderHosts.throughOneEndpoint(provider, config.hosts().orElse(List.of()));
    LOG.infof("KubeVirt worker reaches nodes %s", hosts.names());
    return hosts;
  }

  /** The adapter's settings from {@code virtsaga.kubevirt.*}. */
  static KubeVirtSettings settings(KubeVirtConfig config) {
    KubeVirtConfig.Timeouts t = config.timeouts();
    return new KubeVirtSettings(
        config.masterUrl(),
        config.namespace(),
        config.token().orElse(null),
        config.caCertData().orElse(null),
        config.insecureLoopback(),
        config.defaultImage().orElse(null),
        new ProviderTimeouts(
            t.instanceReady(), t.actionComplete(), t.pollInterval(), t.httpRequest()));
  }
}
