package dev.virtsaga.worker.vsphere.config;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderTimeouts;
import dev.virtsaga.providers.vsphere.VSphereProvider;
import dev.virtsaga.providers.vsphere.VSphereSettings;
import dev.virtsaga.providers.vsphere.VimSettings;
import dev.virtsaga.worker.core.service.ProviderHosts;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The adapter worker-core runs: one {@link VSphereProvider} (one vCenter session) on Quarkus's
 * Vert.x, and the ESXi hosts it reaches through that session.
 */
@Singleton
public class VSphereBeans {
  private static final Logger LOG = Logger.getLogger(VSphereBeans.class);

  @Produces
  @Singleton
  VSphereProvider vSphereProvider(VSphereConfig config, Vertx vertx) {
    VSphereSettings settings = settings(config);
    // VimSettings.toString() leaves the password out
    LOG.infof(
        "vSphere worker: %s, datacenter %s, cluster %s, datastore %s, folder %s, default template"
            + " %s",
        settings.vim(),
        settings.datacenter(),
        settings.cluster(),
        settings.datastore(),
        settings.vmFolder(),
        settings.defaultTemplate().isEmpty() ? "none" : settings.defaultTemplate());
    return new VSphereProvider(vertx, settings);
  }

  void close(@Disposes VSphereProvider provider) {
    provider.close();
  }

  /**
   * The configured {@code hosts} of the cluster, each reached through the one provider (its address
   * is its name: the adapter finds it under {@code /<datacenter>/host/<cluster>/<name>}); none
   * configured: the single host {@value ProviderHosts#DEFAULT}.
   */
  @Produces
  @Singleton
  ProviderHosts vSphereHosts(VSphereProvider provider, VSphereConfig config) {
    ProviderHosts hosts = hosts(provider, config.hosts());
    LOG.infof("vSphere worker reaches hosts %s", hosts.names());
    return hosts;
  }

  /** One {@link ProviderHosts.Host} per host name, all on {@code provider}. */
  static ProviderHosts hosts(Provider provider, Optional<List<String>> names) {
    return ProviderHosts.throughOneEndpoint(provider, names.orElse(List.of()));
  }

  /** The adapter's settings from {@code virtsaga.vsphere.*}. */
  static VSphereSettings settings(VSphereConfig config) {
    VSphereConfig.Timeouts t = config.timeouts();
    VimSettings vim =
        VimSettings.of(config.sdkUrl(), config.username(), config.password())
            .withTls(tls(config.tls()))
            .withRequestTimeout(t.httpRequest())
            .withKeepAliveInterval(config.keepAliveInterval());
    return new VSphereSettings(
        vim,
        config.datacenter(),
        config.cluster(),
        config.datastore(),
        config.vmFolder(),
        config.defaultTemplate().orElse(""),
        new ProviderTimeouts(
            t.instanceReady(), t.actionComplete(), t.pollInterval(), t.httpRequest()));
  }

  /** At most one of insecure (loopback only), pinned certificate, pinned certificate file. */
  static VimSettings.Tls tls(VSphereConfig.Tls tls) {
    Optional<String> pem = tls.pinnedCertificate().filter(s -> !s.isBlank());
    Optional<Path> file = tls.pinnedCertificateFile();
    int chosen =
        (tls.insecureLoopback() ? 1 : 0) + (pem.isPresent() ? 1 : 0) + (file.isPresent() ? 1 : 0);
    if (chosen > 1) {
      throw new IllegalArgumentException(
          "set at most one of virtsaga.vsphere.tls.insecure-loopback, .pinned-certificate and"
              + " .pinned-certificate-file");
    }
    if (tls.insecureLoopback()) {
      return VimSettings.Tls.insecureLoopback();
    }
    if (pem.isPresent()) {
      return VimSettings.Tls.trusting(
          requirePem(pem.get(), "virtsaga.vsphere.tls.pinned-certificate"));
    }
    if (file.isPresent()) {
      try {
        return VimSettings.Tls.trusting(
            requirePem(
                Files.readString(file.get(), StandardCharsets.US_ASCII), file.get().toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read virtsaga.vsphere.tls.pinned-certificate-file " + file.get(), e);
      }
    }
    return VimSettings.Tls.verified();
  }

  private static String requirePem(String pem, String where) {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(where + " holds no PEM certificate");
    }
    return pem;
  }
}
