package dev.virtsaga.events.model;

/** Power state as observed on the hypervisor. */
public enum PowerState {
  ON,
  OFF,
  PAUSED,
  CRASHED,
  UNKNOWN,
  NOT_FOUND
}
