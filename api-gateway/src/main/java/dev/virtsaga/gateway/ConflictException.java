package dev.virtsaga.gateway;

/**
 * The command does not fit the VM's current state (409): another request may succeed once the state
 * has changed (no migration to abort, already on the target host, a snapshot that is not ready).
 */
public class ConflictException extends GatewayException {
  private final String kind;

  /**
   * @param kind the problem type's last segment, e.g. {@code not-migrating}
   */
  public ConflictException(String kind, String detail) {
    super(409, "Conflict with the VM's state", detail);
    this.kind = kind;
  }

  @Override
  public String kind() {
    return kind;
  }
}
