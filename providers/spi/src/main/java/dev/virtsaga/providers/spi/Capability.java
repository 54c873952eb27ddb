package dev.virtsaga.providers.spi;

/**
 * Optional abilities an adapter reports in {@link Provider#capabilities()}. The core contract
 * (validate, create, delete, power ON/OFF, describe, list, task status) is not listed: every
 * adapter has it.
 *
 * <p>A capability with an {@link #api() interface} is declared only by an adapter that implements
 * that interface; {@link #of(Provider, Class)} gives the caller the narrow view.
 */
public enum Capability {
  /** {@link PowerOp#SHUTDOWN_GRACEFUL} asks the guest to shut down. */
  GRACEFUL_SHUTDOWN(null),
  /** {@link PowerOp#REBOOT}. */
  REBOOT(null),
  /** {@link PowerOp#SUSPEND} and {@link PowerOp#RESUME}. */
  SUSPEND_RESUME(null),
  /** Create-time root disks ({@link CreateRequest#diskGiB()} &gt; 0). */
  DISKS(null),
  /** Operations return task references to poll with {@link Provider#taskStatus(String)}. */
  ASYNC_TASKS(null),
  /** {@link Reconfigurable}: CPUs and memory. */
  RECONFIGURE(Reconfigurable.class),
  /**
   * {@link Reconfigurable} also adds and grows disks (with {@link #RECONFIGURE}); without it a disk
   * change is NOT_SUPPORTED. A provider can have create-time disks ({@link #DISKS}) and not this.
   */
  DISK_RESIZE(null),
  /** {@link Snapshots}: create, list, delete, revert. */
  SNAPSHOTS(Snapshots.class),
  /** {@link Cloning}: a new VM from a VM or from one of its snapshots. */
  CLONE(Cloning.class),
  /** {@link Migration}: move a VM to another host, with status and cancel. */
  MIGRATION(Migration.class),
  /** {@link Disks}: disk info, export and import with SHA-256. */
  DISK_EXPORT_IMPORT(Disks.class),
  /** {@link Console}: where to reach a running VM's console. */
  CONSOLE(Console.class),
  /** {@link WatchSource}: list with a resource version, then a stream of changes. */
  WATCH(WatchSource.class);

  private final Class<?> api;

  Capability(Class<?> api) {
    this.api = api;
  }

  /** The interface an adapter implements for this capability, or {@code null} (core methods). */
  public Class<?> api() {
    return api;
  }

  /** Whether the provider declares this capability. */
  public boolean isDeclaredBy(Provider provider) {
    return provider.capabilities().contains(this);
  }

  /**
   * The provider seen through a capability interface.
   *
   * @throws ProviderException {@link ErrorType#NOT_SUPPORTED} when the provider does not declare
   *     the capability of that interface or does not implement it
   */
  public static <T> T of(Provider provider, Class<T> api) {
    for (Capability c : values()) {
      if (c.api == api) {
        if (c.isDeclaredBy(provider) && api.isInstance(provider)) {
          return api.cast(provider);
        }
        throw ProviderException.notSupported(
            "provider " + provider.name() + " does not support " + c);
      }
    }
    throw new IllegalArgumentException(api + " is not a capability interface");
  }
}
