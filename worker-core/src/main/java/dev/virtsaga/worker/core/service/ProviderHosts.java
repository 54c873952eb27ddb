package dev.virtsaga.worker.core.service;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.spi.ProviderException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The hosts one worker reaches, each through its own adapter instance: tasks name the host their VM
 * is on ({@code TaskRequested.host}, absent = the first, default host), and a migration names its
 * target. A worker with one endpoint has one host, {@value #DEFAULT}.
 */
public final class ProviderHosts {
  /** The name of the only host of a worker configured with a single endpoint. */
  public static final String DEFAULT = "default";

  /**
   * One host.
   *
   * @param name how tasks and users name it
   * @param address what the adapter calls it as a migration target (a libvirt URI, …)
   * @param provider the adapter instance connected to it
   */
  public record Host(String name, String address, Provider provider) {
    public Host {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(provider, "provider");
    }
  }

  private final Map<String, Host> hosts = new LinkedHashMap<>();

  /** The hosts, the default one first; every one runs the same adapter. */
  public ProviderHosts(List<Host> hosts) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a worker reaches at least one host");
    }
    String name = hosts.get(0).provider().name();
    for (Host h : hosts) {
      if (!h.provider().name().equals(name)) {
        throw new IllegalArgumentException(
            "host " + h.name() + " runs " + h.provider().name() + ", not " + name);
      }
      if (this.hosts.put(h.name(), h) != null) {
        throw new IllegalArgumentException("host " + h.name() + " is configured twice");
      }
    }
  }

  /** A worker with a single endpoint. */
  public static ProviderHosts single(Provider provider) {
    return new ProviderHosts(List.of(new Host(DEFAULT, null, provider)));
  }

  /**
   * Several hosts reached through one adapter instance (one vCenter session, one Kubernetes API):
   * each host's address is its name. No names: the single host {@value #DEFAULT}.
   *
   * @param names host names, the default first; blank entries are skipped
   * @throws IllegalArgumentException for a name with a {@code /} (a path, not a name)
   */
  public static ProviderHosts throughOneEndpoint(Provider provider, List<String> names) {
    List<Host> hosts = new java.util.ArrayList<>();
    for (String entry : names) {
      String name = entry.strip();
      if (name.isEmpty()) {
        continue;
      }
      if (name.contains("/")) {
        throw new IllegalArgumentException("hosts are names, not paths: " + name);
      }
      hosts.add(new Host(name, name, provider));
    }
    return hosts.isEmpty() ? single(provider) : new ProviderHosts(hosts);
  }

  /** The default host's adapter (capabilities and health are reported from it). */
  public Provider primary() {
    return hosts.values().iterator().next().provider();
  }

  public String defaultName() {
    return hosts.keySet().iterator().next();
  }

  /** Host names, the default first. */
  public List<String> names() {
    return List.copyOf(hosts.keySet());
  }

  /**
   * The host called {@code name}; the default one for {@code null}.
   *
   * @throws ProviderException INVALID_SPEC for a host this worker does not reach
   */
  public Host host(String name) {
    if (name == null) {
      return hosts.values().iterator().next();
    }
    Host h = hosts.get(name);
    if (h == null) {
      throw ProviderException.invalidSpec(
          "unknown host " + name + "; this worker reaches " + hosts.keySet());
    }
    return h;
  }

  /** The adapter of the host called {@code name} (the default one for {@code null}). */
  public Provider provider(String name) {
    return host(name).provider();
  }
}
