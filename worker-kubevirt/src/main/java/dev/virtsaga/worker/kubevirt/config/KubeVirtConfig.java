package dev.virtsaga.worker.kubevirt.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The KubeVirt cluster, {@code virtsaga.kubevirt.*} (env {@code VIRTSAGA_KUBEVIRT_MASTER_URL},
 * {@code VIRTSAGA_KUBEVIRT_TOKEN}, …).
 */
@ConfigMapping(prefix = "virtsaga.kubevirt")
public interface KubeVirtConfig {

  /** The Kubernetes API, {@code https://api.cluster:6443}. */
  String masterUrl();

  /** Where VirtSaga's VMs live. */
  @WithDefault("default")
  String namespace();

  /**
   * A service account's bearer token; from the environment ({@code VIRTSAGA_KUBEVIRT_TOKEN}) or a
   * secret, never from a file in the repository. Never logged.
   */
  Optional<String> token();

  /** The API server's CA (base64 PEM, as in a kubeconfig); none: the JDK's trust store. */
  Optional<String> caCertData();

  /** Trust any certificate: refused unless the API is on loopback (the devstack simulator). */
  @WithDefault("false")
  boolean insecureLoopback();

  /** The containerDisk image of a create without one. */
  Optional<String> defaultImage();

  /**
   * The nodes tasks and migrations may name (e.g. {@code node-a,node-b}), the first the default;
   * all through the one API. None: one host, {@code default}.
   */
  Optional<List<String>> hosts();

  /** How long to wait. */
  Timeouts timeouts();

  /** Waits, {@code virtsaga.kubevirt.timeouts.*}. */
  interface Timeouts {
    /** For a start, a restore or a clone to finish. */
    @WithDefault("10m")
    Duration instanceReady();

    /** For any other change (stop, pause, snapshot, delete) to finish. */
    @WithDefault("5m")
    Duration actionComplete();

    /** Between two reads of an object that is changing. */
    @WithDefault("1s")
    Duration pollInterval();

    /** For one API request; longer is TIMEOUT. */
    @WithDefault("30s")
    Duration httpRequest();
  }
}
