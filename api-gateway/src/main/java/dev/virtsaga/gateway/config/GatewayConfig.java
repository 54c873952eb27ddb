package dev.virtsaga.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the gateway, under {@code virtsaga.gateway}. */
@ConfigMapping(prefix = "virtsaga.gateway")
public interface GatewayConfig {

  /** Providers a VM may be created on; a create naming any other is refused with 400. */
  @WithDefault("libvirt")
  List<String> enabledProviders();

  /** The CloudEvents {@code source} of the commands this gateway publishes. */
  @WithDefault("/virtsaga/api-gateway")
  String eventSource();

  /** Idempotency-Key settings. */
  Idempotency idempotency();

  /** Operations table settings. */
  Operations operations();

  /** In-flight tracking settings. */
  InFlight inFlight();

  /** {@code GET /v1/vms} and {@code GET /v1/projects} paging. */
  Listing listing();

  /** {@code GET /v1/events} settings. */
  Events events();

  /** The allow-list for disk import and export URLs (no SSRF: ARCHITECTURE.md §7). */
  Transfer transfer();

  /** Reads the gateway makes from the providers' workers ({@code GET /v1/vms/{id}/disks}). */
  Workers workers();

  interface Idempotency {
    /** How long a key is remembered; a key older than this may be reused for a new request. */
    @WithDefault("PT24H")
    Duration ttl();

    /** How often expired keys (and old finished operations) are deleted. */
    @WithDefault("15m")
    String cleanupEvery();

    /**
     * How long a claimed key may stay unfinished before a repeat of the same command with the same
     * ids (a project's create, after the gateway that claimed it died) takes it over. Longer than
     * publishing a command can take.
     */
    @WithDefault("PT30S")
    Duration takeoverAfter();
  }

  interface Operations {
    /** How long a finished operation stays readable at {@code GET /v1/operations/{id}}. */
    @WithDefault("P30D")
    Duration retention();
  }

  interface InFlight {
    /**
     * How long a command this gateway published counts as in flight when no lifecycle event or
     * snapshot has closed it (guards against a VM blocked forever by a lost command).
     */
    @WithDefault("PT10M")
    Duration timeout();
  }

  interface Listing {
    /** Page size when the request names none. */
    @WithDefault("50")
    int defaultLimit();

    /** Largest page a request may ask for. */
    @WithDefault("500")
    int maxLimit();
  }

  interface Events {
    /**
     * Events buffered per SSE subscriber; a subscriber that falls further behind is disconnected
     * (it may reconnect) so it never slows the consumer or other subscribers.
     */
    @WithDefault("1024")
    int subscriberBuffer();

    /** Interval of the SSE heartbeat comments that keep idle connections open. */
    @WithDefault("PT15S")
    Duration heartbeat();
  }

  interface Transfer {
    /**
     * Directories {@code file:} URLs may point into (after resolving {@code ..} and symbolic
     * links); a file anywhere else is refused.
     */
    @WithDefault("/var/lib/virtsaga/transfer")
    List<String> fileRoots();

    /**
     * Host names (or literal addresses) {@code http(s):} URLs may name even when they are not
     * public, e.g. an internal image server. Every other host must resolve to public addresses
     * only.
     */
    Optional<List<String>> allowedHosts();

    /** Whether loopback, link-local and private addresses are allowed for every host. */
    @WithDefault("false")
    boolean allowPrivateNetworks();
  }

  interface Workers {
    /** How long a read from a worker may take before the client gets 503. */
    @WithDefault("PT10S")
    Duration requestTimeout();
  }
}
