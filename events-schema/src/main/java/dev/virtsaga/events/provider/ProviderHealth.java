package dev.virtsaga.events.provider;

/** How a provider endpoint answers its worker. */
public enum ProviderHealth {
  UNKNOWN,
  HEALTHY,
  UNHEALTHY,
  UNREACHABLE
}
