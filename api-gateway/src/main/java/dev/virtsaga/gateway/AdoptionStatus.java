package dev.virtsaga.gateway;

/** Where an adoption candidate stands. */
public enum AdoptionStatus {
  /** Seen on a hypervisor, unknown to VirtSaga, waiting for an administrator's decision. */
  PENDING,
  /** An ADOPT command was published for it (it goes back to PENDING if that is refused). */
  ADOPTED,
  /** An administrator chose to leave it alone; later observations do not bring it back. */
  DISMISSED
}
