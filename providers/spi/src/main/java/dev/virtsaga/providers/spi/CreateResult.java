package dev.virtsaga.providers.spi;

import java.util.Objects;

/**
 * The outcome of {@link Provider#create}.
 *
 * @param providerRef the hypervisor's id of the VM
 * @param taskRef an asynchronous task to poll with {@link Provider#taskStatus}, or {@code null}
 *     when the VM is already fully created
 * @param created {@code false} when an earlier call had already created the VM
 */
public record CreateResult(String providerRef, String taskRef, boolean created) {
  public CreateResult {
    Objects.requireNonNull(providerRef, "providerRef");
  }
}
