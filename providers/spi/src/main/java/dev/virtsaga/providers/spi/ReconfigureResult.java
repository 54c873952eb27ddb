package dev.virtsaga.providers.spi;

/**
 * The outcome of {@link Reconfigurable#reconfigure}.
 *
 * @param changed {@code false} when the VM already had the requested sizes
 * @param restartRequired the VM runs and takes part of the change only at its next boot
 * @param taskRef an asynchronous task to poll, or {@code null} when the change is done
 */
public record ReconfigureResult(boolean changed, boolean restartRequired, String taskRef) {}
