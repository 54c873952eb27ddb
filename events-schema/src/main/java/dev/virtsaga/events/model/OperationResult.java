package dev.virtsaga.events.model;

import dev.virtsaga.events.Opt;

/**
 * What an operation produced, beyond the VM's new state.
 *
 * @param location disk export: where the image was written
 * @param format disk export: the image's format
 * @param sizeBytes disk export: the image's size
 * @param sha256 disk export: the image's SHA-256 (lower-case hex); import: the verified source's
 * @param vmId clone: the new VM
 * @param host migration: the host the VM is on afterwards
 * @param providerRef clone: the new VM's id on the provider
 */
public record OperationResult(
    @Opt String location,
    @Opt String format,
    @Opt Long sizeBytes,
    @Opt String sha256,
    @Opt String vmId,
    @Opt String host,
    @Opt String providerRef) {

  public OperationResult(
      String location, String format, Long sizeBytes, String sha256, String vmId, String host) {
    this(location, format, sizeBytes, sha256, vmId, host, null);
  }

  public static OperationResult clone(String vmId, String providerRef) {
    return new OperationResult(null, null, null, null, vmId, null, providerRef);
  }

  public static OperationResult clone(String vmId) {
    return new OperationResult(null, null, null, null, vmId, null);
  }

  public static OperationResult host(String host) {
    return new OperationResult(null, null, null, null, null, host);
  }
}
