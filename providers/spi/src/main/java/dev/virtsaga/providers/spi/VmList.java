package dev.virtsaga.providers.spi;

import java.util.List;
import java.util.Objects;

/**
 * A consistent listing of all managed VMs for {@link WatchSource}.
 *
 * @param items every managed VM, sorted by vmId
 * @param resourceVersion pass to {@link WatchSource#watch} to get every change after this listing
 */
public record VmList(List<VmDescription> items, String resourceVersion) {
  public VmList {
    items = List.copyOf(items);
    Objects.requireNonNull(resourceVersion, "resourceVersion");
  }
}
