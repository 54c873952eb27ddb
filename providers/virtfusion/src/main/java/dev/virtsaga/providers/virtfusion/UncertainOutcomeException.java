package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.ProviderException;

/**
 * A request that must not be repeated blindly ({@link VirtFusionHttp.Safety#ONCE}) failed in a way
 * that leaves open whether VirtFusion carried it out: the connection broke after the request was
 * sent, it timed out, or the server answered 500/502/504. The caller finds out by looking.
 */
final class UncertainOutcomeException extends ProviderException {
  UncertainOutcomeException(ProviderException cause) {
    super(cause.type(), cause.getMessage(), cause, cause.retryAfter().orElse(null));
  }
}
