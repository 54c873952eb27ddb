package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;

/**
 * {@link Capability#CLONE}: a new, independent VM (stopped, tagged with the target vmId) whose
 * disks are copies of a VM's disks — now, or as they were in one of its snapshots.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}.
 */
public interface Cloning {

  /**
   * Clones the source VM.
   *
   * <p>Idempotent by {@link CloneRequest#targetVmId()}: when a VM tagged with the target vmId
   * exists, it is returned ({@code created = false}) and nothing is copied. The clone is deleted
   * with {@link Provider#delete} like any VM, and does not depend on the source afterwards.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} when the source VM or snapshot does not
   *     exist, {@link ErrorType#CONFLICT} when the source must be stopped first, {@link
   *     ErrorType#NOT_SUPPORTED} for a kind of clone the adapter cannot make (named in the message)
   */
  Uni<CreateResult> cloneVm(CloneRequest request);
}
