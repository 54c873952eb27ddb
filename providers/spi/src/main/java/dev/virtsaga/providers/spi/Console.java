package dev.virtsaga.providers.spi;

import io.smallrye.mutiny.Uni;

/**
 * {@link Capability#CONSOLE}: where to reach a VM's graphical or serial console.
 *
 * <p>Same rules as {@link Provider}: non-blocking, fails only with {@link ProviderException}.
 */
public interface Console {

  /**
   * The console URL of a running VM ({@code vnc://host:port}, {@code spice://…}, {@code
   * https://…}). Read-only.
   *
   * @throws ProviderException {@link ErrorType#NOT_FOUND} for an unknown VM, {@link
   *     ErrorType#CONFLICT} when the VM is not running, {@link ErrorType#NOT_SUPPORTED} when this
   *     VM has no console
   */
  Uni<String> consoleUrl(String vmId, String providerRef);
}
