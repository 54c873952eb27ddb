package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;
import java.util.Set;

/**
 * The hypervisor contract: what a worker needs from one provider endpoint.
 *
 * <p>Rules for every method:
 *
 * <ul>
 *   <li>It returns at once and never blocks the calling thread (which may be a Vert.x event loop);
 *       adapters over blocking SDKs run the work on their own executor when the Uni is subscribed.
 *       Nothing happens until the Uni is subscribed.
 *   <li>It fails only with a {@link ProviderException}, whose {@link ErrorType} decides whether the
 *       caller retries.
 *   <li>{@code vmId} is VirtSaga's id; {@code providerRef} is the hypervisor's id when the caller
 *       knows it (may be {@code null}: the adapter then finds the VM by its vmId tag).
 *   <li>Only VMs the adapter created (tagged with a vmId) are visible through this contract.
 * </ul>
 *
 * <p>Every adapter runs the conformance kit ({@code ProviderConformanceTest} in this module's
 * test-jar).
 */
public interface Provider {

  /** The provider's name, as in task topics ({@code libvirt}, {@code vsphere}, …). */
  String name();

  /** The optional abilities this adapter supports. */
  Set<Capability> capabilities();

  /**
   * Checks that the endpoint is reachable and the credentials work (readiness).
   *
   * <p>Idempotent and side-effect free: it may (re)open a connection, nothing else.
   */
  Uni<Void> validate();

  /**
   * Creates the VM, stopped.
   *
   * <p>Idempotent by {@code vmId}: when a VM tagged with the request's vmId already exists, it is
   * returned ({@code created = false}) and nothing is changed, so a retried or redelivered create
   * never makes a second VM. The VM is not started: starting is a separate {@link PowerOp#ON}.
   *
   * @return the VM's providerRef, and a task reference when the provider finishes asynchronously
   */
  Uni<CreateResult> create(CreateRequest request);

  /**
   * Deletes the VM and what the adapter created for it (disks, snapshot metadata, the disk imported
   * as {@link DiskImportRequest#nameForVm} for its root disk), stopping it first when it runs.
   *
   * <p>Idempotent: succeeds when the VM does not exist (never fails with NOT_FOUND).
   */
  Uni<Void> delete(String vmId, String providerRef);

  /**
   * Applies a power operation.
   *
   * <p>Idempotent towards its target state: {@link PowerOp#ON} on a running VM and {@link
   * PowerOp#OFF} / {@link PowerOp#SHUTDOWN_GRACEFUL} on a stopped one succeed without doing
   * anything. {@link PowerOp#SHUTDOWN_GRACEFUL} only asks the guest: the call succeeds once the
   * request is delivered, and the caller polls {@link #describe} until the VM is OFF. {@link
   * PowerOp#REBOOT} of a stopped VM fails with {@link ErrorType#CONFLICT}. An operation outside
   * {@link #capabilities()} fails with {@link ErrorType#NOT_SUPPORTED}.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} when the VM does not exist
   */
  Uni<Void> power(String vmId, String providerRef, PowerOp op);

  /**
   * Describes the VM: whether it exists, its power state, IPs, console, raw details.
   *
   * <p>Read-only and cheap enough to poll. A missing VM is not an error: it is described with
   * {@code exists = false} and {@link PowerState#NOT_FOUND}.
   */
  Uni<VmDescription> describe(String vmId, String providerRef);

  /**
   * Lists the VMs this adapter manages (those tagged with a vmId), in a stable order.
   *
   * <p>Read-only. Unmanaged VMs on the same hypervisor are never listed.
   *
   * @param pageToken {@code null} for the first page, else {@link Page#nextPageToken()}
   * @param pageSize the maximum number of items, &ge; 1
   */
  Uni<Page<VmDescription>> list(String pageToken, int pageSize);

  /**
   * The state of an asynchronous task returned by {@link #create} (or a later capability).
   *
   * <p>Read-only.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} for an unknown task reference
   */
  Uni<TaskState> taskStatus(String taskRef);

  /** Whether an asynchronous task has finished, successfully or not. Read-only. */
  default Uni<Boolean> isTaskComplete(String taskRef) {
    return taskStatus(taskRef).map(TaskState::isComplete);
  }
}
