package dev.virtsaga.providers.spi;

import java.util.List;
import java.util.Objects;

/**
 * The sizes a VM should have after {@link Reconfigurable#reconfigure}.
 *
 * @param cpus virtual CPUs (&ge; 1), or {@code null} to keep them
 * @param memoryMiB memory in MiB (&ge; 1), or {@code null} to keep it
 * @param disks disks to add or grow, never {@code null}
 */
public record ReconfigureRequest(Integer cpus, Long memoryMiB, List<DiskChange> disks) {

  /**
   * One disk the VM should have.
   *
   * @param diskId the disk's id as in {@link DiskInfo#diskId()} ({@code root} is the root disk); a
   *     new id adds a disk
   * @param sizeGiB its size in GiB, &ge; 1; larger than now grows it, smaller is NOT_SUPPORTED
   */
  public record DiskChange(String diskId, long sizeGiB) {
    public DiskChange {
      Objects.requireNonNull(diskId, "diskId");
    }
  }

  public ReconfigureRequest {
    disks = disks == null ? List.of() : List.copyOf(disks);
  }

  public static ReconfigureRequest cpus(int cpus) {
    return new ReconfigureRequest(cpus, null, List.of());
  }

  public static ReconfigureRequest memoryMiB(long memoryMiB) {
    return new ReconfigureRequest(null, memoryMiB, List.of());
  }

  public static ReconfigureRequest disk(String diskId, long sizeGiB) {
    return new ReconfigureRequest(null, null, List.of(new DiskChange(diskId, sizeGiB)));
  }

  /**
   * Checks the sizes every provider needs.
   *
   * @throws ProviderException {@link ErrorType#INVALID_SPEC} when they are impossible
   */
  public void requireValid() {
    if (cpus == null && memoryMiB == null && disks.isEmpty()) {
      throw ProviderException.invalidSpec("a reconfigure request must change something");
    }
    if (cpus != null && cpus < 1) {
      throw ProviderException.invalidSpec("cpus must be at least 1, was " + cpus);
    }
    if (memoryMiB != null && memoryMiB < 1) {
      throw ProviderException.invalidSpec("memoryMiB must be at least 1, was " + memoryMiB);
    }
    for (DiskChange d : disks) {
      if (!d.diskId().matches("[A-Za-z0-9_-]{1,32}")) {
        throw ProviderException.invalidSpec("disk ids are 1-32 of [A-Za-z0-9_-]: " + d.diskId());
      }
      if (d.sizeGiB() < 1) {
        throw ProviderException.invalidSpec("disk sizes are at least 1 GiB: " + d);
      }
    }
    if (disks.stream().map(DiskChange::diskId).distinct().count() != disks.size()) {
      throw ProviderException.invalidSpec("a disk is named twice: " + disks);
    }
  }
}
