package dev.virtsaga.gateway;

/**
 * Where an operation stands, as the gateway reports it. Statuses are ranked: a status only ever
 * replaces one of a lower rank, so late or replayed lifecycle events never move an operation back.
 */
public enum OperationStatus {
  /** Published to {@code vm.commands.v1}; the orchestrator may not have seen it yet. */
  ACCEPTED(0),
  /** The orchestrator started the operation. */
  RUNNING(1),
  SUCCEEDED(2),
  FAILED(2),
  /** The orchestrator refused the command; nothing changed. */
  REJECTED(2);

  private final int rank;

  OperationStatus(int rank) {
    this.rank = rank;
  }

  public int rank() {
    return rank;
  }

  public boolean isTerminal() {
    return rank == 2;
  }
}
