package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;

/**
 * {@link Capability#MIGRATION}: moves a VM to another host of the same provider.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}.
 */
public interface Migration {

  /**
   * Starts moving the VM to {@code targetHost} and returns at once with a task to poll.
   *
   * <p>Idempotent: while a migration of the VM to the same host runs, its task reference is
   * returned again; a VM already on the target host gets a task that is already SUCCEEDED.
   *
   * @param targetHost the adapter's name or URI of the destination host
   * @return the task reference for {@link #migrationStatus} and {@link #cancelMigration}
   * @throws ProviderException {@link ErrorType#CONFLICT} while another migration of the VM runs,
   *     {@link ErrorType#NOT_FOUND} for an unknown VM, {@link ErrorType#UNAVAILABLE} when the
   *     target cannot be reached
   */
  Uni<String> migrate(String vmId, String providerRef, String targetHost);

  /**
   * Where the migration is, with {@link TaskState#progress()} in percent when known. Read-only.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} for an unknown task
   */
  Uni<TaskState> migrationStatus(String taskRef);

  /**
   * Aborts a running migration; the VM stays on its source host.
   *
   * <p>Idempotent: succeeds when the migration has already finished or was cancelled.
   */
  Uni<Void> cancelMigration(String taskRef);
}
