package dev.virtsaga.worker.virtfusion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The VirtFusion endpoint, {@code virtsaga.virtfusion.*} (env {@code VIRTSAGA_VIRTFUSION_BASE_URL},
 * {@code VIRTSAGA_VIRTFUSION_TOKEN}, …).
 */
@ConfigMapping(prefix = "virtsaga.virtfusion")
public interface VirtFusionConfig {

  /** The API root of the control server, {@code https://<host>/api/v1}. */
  String baseUrl();

  /**
   * The API token; from the environment ({@code VIRTSAGA_VIRTFUSION_TOKEN}) or a secret, never from
   * a file in the repository. Never logged.
   */
  String token();

  /** What a create uses when its labels do not say. */
  Defaults defaults();

  /** Requests per second to the control server, all calls together. */
  RateLimit rateLimit();

  /** How long to wait. */
  Timeouts timeouts();

  /** Retries of throttled and failed requests. */
  Retry retry();

  /** Polling of the watch. */
  Watch watch();

  /** How long resolved users, SSH keys, templates and groups are kept. */
  @WithDefault("10m")
  Duration cacheTtl();

  /** Placement and build defaults, {@code virtsaga.virtfusion.defaults.*}. */
  interface Defaults {
    /** External relation id of the user owning servers of requests without a tenant label. */
    Optional<String> tenant();

    /** Server package of requests without a {@code virtfusion.dev/package} label. */
    Optional<Long> packageId();

    /** Hypervisor group (id or name) of requests without a group label. */
    Optional<String> hypervisorGroup();

    /** OS template (name or id) of requests without an image. */
    Optional<String> template();
  }

  /** A token bucket. */
  interface RateLimit {
    /** Sustained requests per second. */
    @WithDefault("5")
    double qps();

    /** Requests allowed at once above the sustained rate. */
    @WithDefault("10")
    int burst();
  }

  /** Waits, {@code virtsaga.virtfusion.timeouts.*}. */
  interface Timeouts {
    /** From a build's start until the server is built and stopped. */
    @WithDefault("10m")
    Duration instanceReady();

    /** For one power action or delete to finish. */
    @WithDefault("5m")
    Duration actionComplete();

    /** Between two polls of a queue item or a server's state. */
    @WithDefault("2s")
    Duration pollInterval();

    /** For one HTTP request. */
    @WithDefault("30s")
    Duration httpRequest();
  }

  /** Retries with exponential backoff and jitter, never sooner than {@code Retry-After}. */
  interface Retry {
    /** Attempts in all (1 = no retry). */
    @WithDefault("6")
    int maxAttempts();

    /** The wait before the first retry, doubled per attempt. */
    @WithDefault("200ms")
    Duration initialBackoff();

    /** The longest wait; a longer {@code Retry-After} is reported instead of waited for. */
    @WithDefault("10s")
    Duration maxBackoff();
  }

  /** The watch's polling, {@code virtsaga.virtfusion.watch.*}. */
  interface Watch {
    /** Between polls of servers in transition. */
    @WithDefault("2s")
    Duration fastInterval();

    /** Between full listings. */
    @WithDefault("30s")
    Duration slowInterval();
  }
}
