package dev.virtsaga.providers.spi;

/** A VM's power state as the provider reports it. */
public enum PowerState {
  ON,
  OFF,
  PAUSED,
  CRASHED,
  UNKNOWN,
  /** The VM does not exist on the provider. */
  NOT_FOUND
}
