package dev.virtsaga.gateway.mapping;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.gateway.rest.ActionRequest;
import dev.virtsaga.gateway.rest.CreateVmRequest;
import dev.virtsaga.gateway.service.CommandRequest;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** HTTP requests to commands, and commands to their wire record. */
public final class CommandMapper {
  private CommandMapper() {}

  /** A validated create body as a command; empty labels are the same as none. */
  public static CommandRequest create(CreateVmRequest body) {
    Map<String, String> labels =
        body.labels() == null || body.labels().isEmpty() ? null : new TreeMap<>(body.labels());
    VmSpec spec =
        new VmSpec(
            body.name(),
            body.provider(),
            body.cpus(),
            body.memoryMiB(),
            body.diskGiB(),
            body.image(),
            labels);
    return new CommandRequest(
        CommandType.CREATE, null, spec, null, null, RequestFingerprint.of("POST", "/v1/vms", spec));
  }

  /** A validated action ({@code start|stop|reboot|suspend|resume}) body as a command. */
  public static CommandRequest action(String vmId, CommandType type, ActionRequest body) {
    ActionRequest options = body == null ? ActionRequest.NONE : body;
    String action = type.name().toLowerCase(Locale.ROOT);
    return new CommandRequest(
        type,
        vmId,
        null,
        options.force(),
        options.gracefulTimeoutSeconds(),
        RequestFingerprint.of("POST", "/v1/vms/" + vmId + "/actions/" + action, options));
  }

  /** A validated reconfigure body applied to the VM's current spec, as a command. */
  public static CommandRequest reconfigure(
      String vmId, VmSpec current, dev.virtsaga.gateway.rest.ReconfigureVmRequest body) {
    VmSpec target =
        new VmSpec(
            current.name(),
            current.provider(),
            body.cpus() != null ? body.cpus() : current.cpus(),
            body.memoryMiB() != null ? body.memoryMiB() : current.memoryMiB(),
            body.diskGiB() != null ? body.diskGiB() : current.diskGiB(),
            current.image(),
            current.labels());
    return new CommandRequest(
        CommandType.RECONFIGURE,
        vmId,
        target,
        null,
        null,
        RequestFingerprint.of("PATCH", "/v1/vms/" + vmId, body));
  }

  /** A snapshot command; a create's snapshot gets the id of its operation. */
  public static CommandRequest snapshot(
      String vmId, CommandType type, String snapshotId, String snapshotName) {
    String snapshots = "/v1/vms/" + vmId + "/snapshots";
    String fingerprint =
        switch (type) {
          case SNAPSHOT_CREATE -> RequestFingerprint.of("POST", snapshots, snapshotName);
          case SNAPSHOT_DELETE ->
              RequestFingerprint.of("DELETE", snapshots + "/" + snapshotId, null);
          case SNAPSHOT_REVERT ->
              RequestFingerprint.of("POST", snapshots + "/" + snapshotId + "/revert", null);
          default -> throw new IllegalArgumentException(type + " is not a snapshot command");
        };
    return new CommandRequest(type, vmId, null, null, null, fingerprint, snapshotId, snapshotName);
  }

  public static CommandRequest delete(String vmId) {
    return new CommandRequest(
        CommandType.DELETE,
        vmId,
        null,
        null,
        null,
        RequestFingerprint.of("DELETE", "/v1/vms/" + vmId, null));
  }

  public static VmCommand toWire(
      CommandRequest request,
      String operationId,
      String vmId,
      String tenantId,
      String requestId,
      Instant at) {
    return new VmCommand(
        operationId,
        vmId,
        tenantId,
        request.type(),
        at,
        request.spec(),
        request.force(),
        request.gracefulTimeoutSeconds(),
        requestId,
        request.type() == CommandType.SNAPSHOT_CREATE ? operationId : request.snapshotId(),
        request.snapshotName());
  }
}
