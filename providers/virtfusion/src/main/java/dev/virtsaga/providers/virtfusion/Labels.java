package dev.virtsaga.providers.virtfusion;

/**
 * The reserved label keys of a {@link dev.virtsaga.providers.spi.CreateRequest} this adapter reads
 * (the contract with the gateway; see the module README). Every other label is ignored.
 */
public final class Labels {
  /** The tenant: the VirtFusion user's external relation id. */
  public static final String TENANT = "virtsaga.dev/tenant";

  /** The name of the SSH key to install, registered for the tenant's user. */
  public static final String SSH_KEY_NAME = "virtsaga.dev/ssh-key-name";

  /** The public key to register under {@link #SSH_KEY_NAME} when the user has none by that name. */
  public static final String SSH_PUBLIC_KEY = "virtsaga.dev/ssh-public-key";

  /** The server package id. */
  public static final String PACKAGE = "virtfusion.dev/package";

  /** The hypervisor group, by id or by name. */
  public static final String HYPERVISOR_GROUP = "virtfusion.dev/hypervisor-group";

  /** The network profile id. */
  public static final String NETWORK_PROFILE = "virtfusion.dev/network-profile";

  /** Network speed in Mbit/s, inbound and outbound. */
  public static final String BANDWIDTH_MBPS = "virtfusion.dev/bandwidth-mbps";

  /** {@code true}: one public IPv4 address; {@code false}: none. */
  public static final String PUBLIC_IP = "virtfusion.dev/public-ip";

  /** Firewall ruleset ids, comma-separated. */
  public static final String FIREWALL_RULESETS = "virtfusion.dev/firewall-rulesets";

  private Labels() {}
}
