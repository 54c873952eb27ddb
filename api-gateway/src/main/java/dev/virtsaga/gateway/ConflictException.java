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
    this(kind, "Conflict with the VM's state", detail);
  }

  /**
   * @param kind the problem type's last segment, e.g. {@code candidate-not-pending}
   * @param title the problem's title
   */
  public ConflictException(String kind, String title, String detail) {
    super(409, title, detail);
    this.kind = kind;
  }

  /** An adoption of a VM that VirtSaga manages already. */
  public static ConflictException vmExists(String vmId) {
    return new ConflictException(
        "vm-exists",
        "Conflict with the VM's state",
        "VM " + vmId + " is managed by VirtSaga already: nothing to adopt");
  }

  @Override
  public String kind() {
    return kind;
  }
}
