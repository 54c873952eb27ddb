package dev.virtsaga.gateway.mapping;

import dev.virtsaga.events.command.VmCommand;
import dev.virtsaga.events.model.AdoptArgs;
import dev.virtsaga.events.model.CloneArgs;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.DiskExportArgs;
import dev.virtsaga.events.model.DiskSource;
import dev.virtsaga.events.model.DriftPolicy;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.gateway.AdoptionCandidate;
import dev.virtsaga.gateway.CommandReceipt;
import dev.virtsaga.gateway.rest.ActionRequest;
import dev.virtsaga.gateway.rest.AdoptVmRequest;
import dev.virtsaga.gateway.rest.CloneVmRequest;
import dev.virtsaga.gateway.rest.CreateVmRequest;
import dev.virtsaga.gateway.rest.ExportDiskRequest;
import dev.virtsaga.gateway.rest.ImportDiskRequest;
import dev.virtsaga.gateway.rest.MigrateVmRequest;
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
    Map<String, String> labels = labels(body.labels());
    VmSpec spec =
        new VmSpec(
            body.name(),
            body.provider(),
            body.cpus(),
            body.memoryMiB(),
            body.diskGiB(),
            body.image(),
            labels,
            null,
            null,
            driftPolicy(body.driftPolicy()));
    return new CommandRequest(
        CommandType.CREATE, null, spec, null, null, RequestFingerprint.of("POST", "/v1/vms", spec));
  }

  /**
   * A validated adopt body as the ADOPT command of a candidate: the VM keeps its id, its provider
   * and host are where the watcher saw it, the rest is what the body says.
   *
   * @param name the body's name, or one derived from the candidate ({@link #adoptedName})
   */
  public static CommandRequest adopt(
      AdoptionCandidate candidate, AdoptVmRequest body, String name) {
    VmSpec spec =
        new VmSpec(
            name,
            candidate.provider(),
            body.cpus(),
            body.memoryMiB(),
            body.diskGiB() == null ? 0 : body.diskGiB(),
            null,
            labels(body.labels()),
            candidate.host(),
            null,
            driftPolicy(body.driftPolicy()));
    AdoptArgs adopt =
        new AdoptArgs(
            candidate.power(),
            candidate.providerRef(),
            candidate.ips() == null || candidate.ips().isEmpty() ? null : candidate.ips());
    return new CommandRequest(
        CommandType.ADOPT,
        candidate.vmId(),
        spec,
        null,
        null,
        adoptFingerprint(candidate.vmId(), body),
        null,
        null,
        null,
        null,
        null,
        adopt);
  }

  /** The identity of an adopt request for Idempotency-Key matching. */
  public static String adoptFingerprint(String vmId, AdoptVmRequest body) {
    return RequestFingerprint.of("POST", "/v1/adoptions/" + vmId, body);
  }

  /**
   * A DNS-label name for an adopted VM the body names not: from the hypervisor's name of it (its
   * {@code providerRef}) when that makes one, else from its id.
   */
  public static String adoptedName(String providerRef, String vmId) {
    String fromRef = dnsLabel(providerRef);
    if (fromRef != null) {
      return fromRef;
    }
    String fromId = dnsLabel(vmId);
    return fromId != null ? fromId : "adopted-vm";
  }

  /** Lower case, runs of anything else than a-z, 0-9 as one '-', trimmed to 63 characters. */
  static String dnsLabel(String text) {
    if (text == null) {
      return null;
    }
    String label =
        text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (label.length() > 63) {
      label = label.substring(0, 63).replaceAll("-+$", "");
    }
    return label.isEmpty() ? null : label;
  }

  /** A validated drift policy ({@code null}: the default). */
  static DriftPolicy driftPolicy(String policy) {
    return policy == null ? null : DriftPolicy.valueOf(policy);
  }

  /**
   * A validated disk import body as the create of a new VM whose root disk is imported from the
   * image; the SHA-256 in lower case, a missing size as 0 (the image's size).
   *
   * @param url the image's URL as the allow-list checked (normalised) it
   */
  public static CommandRequest importDisk(ImportDiskRequest body, String url) {
    VmSpec spec =
        new VmSpec(
            body.name(),
            body.provider(),
            body.cpus(),
            body.memoryMiB(),
            body.diskGiB() == null ? 0 : body.diskGiB(),
            null,
            labels(body.labels()),
            body.host(),
            new DiskSource(url, body.format(), body.sha256().toLowerCase(Locale.ROOT)));
    return new CommandRequest(
        CommandType.CREATE,
        null,
        spec,
        null,
        null,
        RequestFingerprint.of("POST", "/v1/disks/import", spec));
  }

  /** A validated clone body as a command; the new VM's id is chosen when it is submitted. */
  public static CommandRequest clone(String vmId, CloneVmRequest body) {
    return new CommandRequest(
        CommandType.CLONE,
        vmId,
        null,
        null,
        null,
        RequestFingerprint.of("POST", "/v1/vms/" + vmId + "/clone", body),
        null,
        null,
        new CloneArgs(null, body.name(), body.snapshotId()),
        null,
        null);
  }

  /** A validated migrate body as a command. */
  public static CommandRequest migrate(String vmId, MigrateVmRequest body) {
    return new CommandRequest(
        CommandType.MIGRATE,
        vmId,
        null,
        null,
        null,
        RequestFingerprint.of("POST", "/v1/vms/" + vmId + "/migrate", body),
        null,
        null,
        null,
        body.host(),
        null);
  }

  /** Aborting the VM's migration. */
  public static CommandRequest abort(String vmId) {
    return new CommandRequest(
        CommandType.ABORT,
        vmId,
        null,
        null,
        null,
        RequestFingerprint.of("DELETE", "/v1/vms/" + vmId + "/migrate", null));
  }

  /**
   * A validated disk export body as a command.
   *
   * @param url the target URL as the allow-list checked (normalised) it
   */
  public static CommandRequest diskExport(String vmId, ExportDiskRequest body, String url) {
    DiskExportArgs export =
        new DiskExportArgs(url, body.format(), body.diskId(), body.snapshotId());
    return new CommandRequest(
        CommandType.DISK_EXPORT,
        vmId,
        null,
        null,
        null,
        RequestFingerprint.of("POST", "/v1/vms/" + vmId + "/disks/export", export),
        null,
        null,
        null,
        null,
        export);
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
            current.labels(),
            current.host(),
            current.source(),
            current.driftPolicy());
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

  /**
   * The command as published, with the ids the receipt fixed: a snapshot create's snapshot id is
   * its operation id, a clone's new VM id is the receipt's {@code cloneVmId}.
   */
  public static VmCommand toWire(
      CommandRequest request,
      CommandReceipt receipt,
      String tenantId,
      String requestId,
      Instant at) {
    CloneArgs cloneTo =
        request.cloneTo() == null
            ? null
            : new CloneArgs(
                receipt.cloneVmId(), request.cloneTo().name(), request.cloneTo().snapshotId());
    return new VmCommand(
        receipt.operationId(),
        receipt.vmId(),
        tenantId,
        request.type(),
        at,
        request.type() == CommandType.CREATE || request.type() == CommandType.ADOPT
            ? withTenant(request.spec(), tenantId)
            : request.spec(),
        request.force(),
        request.gracefulTimeoutSeconds(),
        requestId,
        request.type() == CommandType.SNAPSHOT_CREATE
            ? receipt.operationId()
            : request.snapshotId(),
        request.snapshotName(),
        cloneTo,
        request.targetHost(),
        request.export(),
        request.adopt());
  }

  /**
   * A new (or adopted) VM's spec carries its tenant as label {@code virtsaga.dev/tenant} (clients
   * may not set it): adapters that map tenants to hypervisor users (VirtFusion) read it there.
   */
  static VmSpec withTenant(VmSpec spec, String tenantId) {
    if (spec == null || tenantId == null) {
      return spec;
    }
    Map<String, String> labels = new TreeMap<>(spec.labels() == null ? Map.of() : spec.labels());
    labels.put(ProjectLabels.TENANT, tenantId);
    return new VmSpec(
        spec.name(),
        spec.provider(),
        spec.cpus(),
        spec.memoryMiB(),
        spec.diskGiB(),
        spec.image(),
        labels,
        spec.host(),
        spec.source(),
        spec.driftPolicy());
  }

  /** Labels in a stable order; empty labels are the same as none. */
  private static Map<String, String> labels(Map<String, String> labels) {
    return labels == null || labels.isEmpty() ? null : new TreeMap<>(labels);
  }
}
