package dev.virtsaga.events.model;

/** The one VM state machine of ARCHITECTURE.md §3. */
public enum VmState {
  PENDING(Kind.TRANSITIONAL),
  PROVISIONING(Kind.TRANSITIONAL),
  STARTING(Kind.TRANSITIONAL),
  RUNNING(Kind.STABLE),
  STOPPING(Kind.TRANSITIONAL),
  STOPPED(Kind.STABLE),
  REBOOTING(Kind.TRANSITIONAL),
  SUSPENDING(Kind.TRANSITIONAL),
  SUSPENDED(Kind.STABLE),
  RESUMING(Kind.TRANSITIONAL),
  RECONFIGURING(Kind.TRANSITIONAL),
  MIGRATING(Kind.TRANSITIONAL),
  DELETING(Kind.TRANSITIONAL),
  DELETED(Kind.TERMINAL),
  FAILED(Kind.STABLE);

  /** Stable states have no operation; transitional ones always have one with a deadline. */
  public enum Kind {
    STABLE,
    TRANSITIONAL,
    TERMINAL
  }

  private final Kind kind;

  VmState(Kind kind) {
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isTransitional() {
    return kind == Kind.TRANSITIONAL;
  }
}
