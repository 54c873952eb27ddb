package dev.virtsaga.gateway.mapping;

import java.util.Set;

/**
 * The labels a project's VMs carry: the contract with the workers (the VirtFusion worker reads
 * them; see {@code providers/virtfusion} {@code Labels}). Only the gateway sets the {@code
 * virtsaga.dev/} keys that name the tenant and the project; a client's labels may not.
 */
public final class ProjectLabels {
  /** The tenant id (VirtFusion: the user's external relation id). */
  public static final String TENANT = "virtsaga.dev/tenant";

  /** The project's name. */
  public static final String PROJECT = "virtsaga.dev/project";

  /** The name of the SSH key to install. */
  public static final String SSH_KEY_NAME = "virtsaga.dev/ssh-key-name";

  /** The public key to register under {@link #SSH_KEY_NAME} when there is none by that name. */
  public static final String SSH_PUBLIC_KEY = "virtsaga.dev/ssh-public-key";

  /** VirtFusion hypervisor group, by id or by name. */
  public static final String HYPERVISOR_GROUP = "virtfusion.dev/hypervisor-group";

  /** VirtFusion network profile id. */
  public static final String NETWORK_PROFILE = "virtfusion.dev/network-profile";

  /** Network speed in Mbit/s. */
  public static final String BANDWIDTH_MBPS = "virtfusion.dev/bandwidth-mbps";

  /** {@code true} or {@code false}: one public IPv4 address or none. */
  public static final String PUBLIC_IP = "virtfusion.dev/public-ip";

  /** Firewall ruleset ids, comma-separated. */
  public static final String FIREWALL_RULESETS = "virtfusion.dev/firewall-rulesets";

  /** Keys a client may not set in its own labels ({@code POST /v1/vms}, disk import). */
  public static final Set<String> RESERVED = Set.of(TENANT, PROJECT);

  private ProjectLabels() {}
}
