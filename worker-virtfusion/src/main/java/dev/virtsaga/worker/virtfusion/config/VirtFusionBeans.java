package dev.virtsaga.worker.virtfusion.config;

import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.spi.RateLimit;
import dev.virtsaga.providers.virtfusion.VirtFusionProvider;
import dev.virtsaga.providers.virtfusion.VirtFusionSettings;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** The adapter worker-core runs: a {@link VirtFusionProvider} on Quarkus's Vert.x. */
@Singleton
public class VirtFusionBeans {
  private static final Logger LOG = Logger.getLogger(VirtFusionBeans.class);

  @Produces
  @Singleton
  VirtFusionProvider virtFusionProvider(VirtFusionConfig config, Vertx vertx) {
    VirtFusionSettings settings = settings(config);
    LOG.infof("VirtFusion worker: %s", settings); // the token is redacted
    return new VirtFusionProvider(settings, vertx);
  }

  void close(@Disposes VirtFusionProvider provider) {
    provider.close();
  }

  /** The adapter's settings from {@code virtsaga.virtfusion.*}. */
  static VirtFusionSettings settings(VirtFusionConfig config) {
    VirtFusionConfig.Defaults d = config.defaults();
    VirtFusionConfig.Timeouts t = config.timeouts();
    VirtFusionConfig.Retry r = config.retry();
    return new VirtFusionSettings(
        config.baseUrl(),
        config.token(),
        new VirtFusionSettings.Defaults(
            d.tenant().orElse(null),
            d.packageId().orElse(null),
            d.hypervisorGroup().orElse(null),
            d.template().orElse(null)),
        new RateLimit(config.rateLimit().qps(), config.rateLimit().burst()),
        new ProviderTimeouts(
            t.instanceReady(), t.actionComplete(), t.pollInterval(), t.httpRequest()),
        new VirtFusionSettings.Retry(r.maxAttempts(), r.initialBackoff(), r.maxBackoff()),
        new VirtFusionSettings.Watch(config.watch().fastInterval(), config.watch().slowInterval()),
        config.cacheTtl());
  }
}
