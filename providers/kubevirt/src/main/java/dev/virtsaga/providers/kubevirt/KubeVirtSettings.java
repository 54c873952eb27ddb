package dev.virtsaga.providers.kubevirt;

import dev.virtsaga.providers.spi.ProviderTimeouts;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.net.URI;
import java.util.Objects;

/**
 * Where the KubeVirt cluster is and how the adapter uses it.
 *
 * @param masterUrl the Kubernetes API, {@code https://api.cluster:6443}
 * @param namespace where VirtSaga's VMs live
 * @param token a bearer token (a service account's), or {@code null} for none; never logged
 * @param caCertData the API server's CA (PEM, base64 as in a kubeconfig), or {@code null} for the
 *     JDK's trust store
 * @param insecureLoopback trust any certificate — refused unless the API is on loopback
 * @param defaultImage the containerDisk image of a request without one
 * @param timeouts {@code instanceReady} bounds a start or clone, {@code actionComplete} other
 *     waits, {@code pollInterval} the pause between reads, {@code httpRequest} one API call
 */
public record KubeVirtSettings(
    String masterUrl,
    String namespace,
    String token,
    String caCertData,
    boolean insecureLoopback,
    String defaultImage,
    ProviderTimeouts timeouts) {

  /** KubeVirt's demo image, a small Cirros containerDisk. */
  public static final String DEFAULT_IMAGE = "quay.io/kubevirt/cirros-container-disk-demo";

  public KubeVirtSettings {
    Objects.requireNonNull(masterUrl, "masterUrl");
    URI uri = URI.create(masterUrl);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("masterUrl needs a host: " + masterUrl);
    }
    if (namespace == null || !namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new IllegalArgumentException("namespace must be a DNS label: " + namespace);
    }
    if (insecureLoopback && !isLoopback(uri.getHost())) {
      throw new IllegalArgumentException(
          "insecureLoopback is only allowed for an API on loopback, not " + uri.getHost());
    }
    defaultImage = defaultImage == null || defaultImage.isBlank() ? DEFAULT_IMAGE : defaultImage;
    Objects.requireNonNull(timeouts, "timeouts");
  }

  /** An API on loopback without credentials (the devstack simulator). */
  public static KubeVirtSettings of(String masterUrl, String namespace) {
    return new KubeVirtSettings(
        masterUrl, namespace, null, null, true, DEFAULT_IMAGE, ProviderTimeouts.defaults());
  }

  public KubeVirtSettings withTimeouts(ProviderTimeouts newTimeouts) {
    return new KubeVirtSettings(
        masterUrl, namespace, token, caCertData, insecureLoopback, defaultImage, newTimeouts);
  }

  /** The fabric8 configuration: nothing read from {@code ~/.kube} or the environment. */
  Config clientConfig() {
    ConfigBuilder b =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(masterUrl)
            .withNamespace(namespace)
            .withTrustCerts(insecureLoopback)
            .withRequestTimeout((int) timeouts.httpRequest().toMillis())
            .withConnectionTimeout((int) timeouts.httpRequest().toMillis())
            .withRequestRetryBackoffLimit(0);
    if (token != null && !token.isBlank()) {
      b.withOauthToken(token);
    }
    if (caCertData != null && !caCertData.isBlank()) {
      b.withCaCertData(caCertData);
    }
    return b.build();
  }

  static boolean isLoopback(String host) {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }

  @Override
  public String toString() {
    return "KubeVirtSettings[masterUrl="
        + masterUrl
        + ", namespace="
        + namespace
        + ", token="
        + (token == null ? "none" : "***")
        + ", insecureLoopback="
        + insecureLoopback
        + ", defaultImage="
        + defaultImage
        + "]";
  }
}
