package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;

/**
 * {@link Capability#RECONFIGURE}: changes a VM's CPUs, memory and disks.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}.
 */
public interface Reconfigurable {

  /**
   * Brings the VM to the requested sizes; fields left {@code null} are not touched.
   *
   * <p>Idempotent towards the target: asking for what the VM already has succeeds without changes
   * ({@code changed = false}); a disk named in the request that exists with the requested size is
   * left alone, a smaller one is grown, a missing one is added. Whatever the hypervisor cannot do
   * (shrinking a disk, adding disks where the adapter manages none, …) fails the whole call with
   * {@link ErrorType#NOT_SUPPORTED} before anything is changed — never a silent no-op. When a
   * running VM can only take a change at its next boot, the change is saved in its definition and
   * the result says {@link ReconfigureResult#restartRequired()}.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} when the VM does not exist, {@link
   *     ErrorType#INVALID_SPEC} for impossible sizes, {@link ErrorType#NOT_SUPPORTED} as above
   */
  Uni<ReconfigureResult> reconfigure(String vmId, String providerRef, ReconfigureRequest request);
}
