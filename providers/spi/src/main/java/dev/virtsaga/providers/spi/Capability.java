package dev.virtsaga.providers.spi;

/**
 * Optional abilities an adapter reports in {@link Provider#capabilities()}. The core contract
 * (validate, create, delete, power ON/OFF, describe, list, task status) is not listed: every
 * adapter has it.
 */
public enum Capability {
  /** {@link PowerOp#SHUTDOWN_GRACEFUL} asks the guest to shut down. */
  GRACEFUL_SHUTDOWN,
  /** {@link PowerOp#REBOOT}. */
  REBOOT,
  /** {@link PowerOp#SUSPEND} and {@link PowerOp#RESUME}. */
  SUSPEND_RESUME,
  /** Create-time root disks ({@link CreateRequest#diskGiB()} &gt; 0). */
  DISKS,
  /** Operations return task references to poll with {@link Provider#taskStatus(String)}. */
  ASYNC_TASKS,
  RECONFIGURE,
  SNAPSHOTS,
  CLONE,
  MIGRATION,
  DISK_EXPORT_IMPORT,
  CONSOLE,
  WATCH
}
