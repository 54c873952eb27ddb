package dev.virtsaga.gateway.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.events.model.CommandType;
import dev.virtsaga.events.model.VmSpec;
import dev.virtsaga.gateway.Operation;
import dev.virtsaga.gateway.ProjectProgress;
import dev.virtsaga.gateway.ProjectProgress.Phase;
import dev.virtsaga.gateway.ProjectVm;
import dev.virtsaga.gateway.repository.ProjectRepository;
import dev.virtsaga.gateway.rest.OperationResponse;
import dev.virtsaga.gateway.rest.ProjectAcceptedResponse;
import dev.virtsaga.gateway.rest.ProjectListResponse;
import dev.virtsaga.gateway.rest.ProjectRequest;
import dev.virtsaga.gateway.rest.ProjectRequest.Instance;
import dev.virtsaga.gateway.rest.ProjectRequest.Network;
import dev.virtsaga.gateway.rest.ProjectResponse;
import dev.virtsaga.gateway.service.CommandRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A project request to the creates it fans out into: one per VM, named {@code <name>} when an
 * instance has one VM and {@code <name>-1} … {@code <name>-n} otherwise, each with the labels of
 * {@link ProjectLabels}; and projects to their HTTP representations.
 */
public final class ProjectMapper {
  /** libvirt: its hosts are named, and {@code hypervisor_group} names one. */
  public static final String LIBVIRT = "libvirt";

  /** VirtFusion: hypervisor and network settings travel as {@code virtfusion.dev/} labels. */
  public static final String VIRTFUSION = "virtfusion";

  /** How a provider takes an instance's hypervisor and network settings. */
  public enum Placement {
    /** {@code hypervisor_group} is a host's name ({@code spec.host}); no network settings. */
    HOST,
    /** Hypervisor group and network settings as {@code virtfusion.dev/} labels. */
    VIRTFUSION_LABELS,
    /** Neither: the provider has no such settings. */
    NONE
  }

  /**
   * One VM of the plan.
   *
   * @param position its place in the request
   * @param command its create, validated
   */
  public record PlannedVm(String instance, String vmName, int position, CommandRequest command) {}

  private ProjectMapper() {}

  public static Placement placementOf(String provider) {
    return switch (provider) {
      case LIBVIRT -> Placement.HOST;
      case VIRTFUSION -> Placement.VIRTFUSION_LABELS;
      default -> Placement.NONE;
    };
  }

  /** The names of an instance's VMs, in order. */
  public static List<String> vmNames(String instance, int count) {
    if (count == 1) {
      return List.of(instance);
    }
    List<String> names = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      names.add(instance + "-" + i);
    }
    return names;
  }

  /** How many VMs an instance asks for (1 when it does not say). */
  public static int count(Instance instance) {
    return instance.numberOfInstances() == null ? 1 : instance.numberOfInstances();
  }

  /**
   * The request with its defaults written out and empty lists as none, so equal requests have equal
   * fingerprints however they were spelled.
   */
  public static ProjectRequest normalize(ProjectRequest body) {
    return new ProjectRequest(
        body.projectName(), body.instances().stream().map(ProjectMapper::normalize).toList());
  }

  private static Instance normalize(Instance i) {
    Network n = i.network();
    Network network =
        n == null
            ? null
            : new Network(
                n.profileId(),
                n.bandwidth(),
                n.publicIp(),
                n.firewallRulesets() == null || n.firewallRulesets().isEmpty()
                    ? null
                    : n.firewallRulesets());
    boolean noNetwork =
        network == null
            || (network.profileId() == null
                && network.bandwidth() == null
                && network.publicIp() == null
                && network.firewallRulesets() == null);
    return new Instance(
        i.name(),
        i.provider(),
        count(i),
        Boolean.TRUE.equals(i.provision()) ? Boolean.TRUE : null,
        i.hypervisorId(),
        hypervisorGroup(i.hypervisorGroup()) == null ? null : i.hypervisorGroup(),
        i.resources(),
        i.template(),
        i.sshKeyName(),
        i.sshPublicKey(),
        noNetwork ? null : network,
        i.volumes() == null || i.volumes().isEmpty() ? null : i.volumes());
  }

  /** The fingerprint of a normalised request. */
  public static String fingerprint(ProjectRequest normalized) {
    return RequestFingerprint.of("POST", "/v1/projects", normalized);
  }

  /** A normalised request as the canonical JSON stored with the project. */
  public static String canonicalJson(ProjectRequest normalized) {
    return RequestFingerprint.canonicalJson(normalized);
  }

  /**
   * The creates a validated, normalised request fans out into, in request order.
   *
   * @param tenantId labels each VM ({@link ProjectLabels#TENANT})
   */
  public static List<PlannedVm> plan(String tenantId, ProjectRequest normalized) {
    List<PlannedVm> plan = new ArrayList<>();
    for (Instance instance : normalized.instances()) {
      for (String vmName : vmNames(instance.name(), count(instance))) {
        VmSpec spec = spec(tenantId, normalized.projectName(), instance, vmName);
        CommandRequest create =
            new CommandRequest(
                CommandType.CREATE,
                null,
                spec,
                null,
                null,
                RequestFingerprint.of(
                    "POST", "/v1/projects/" + normalized.projectName() + "/vms/" + vmName, spec));
        plan.add(new PlannedVm(instance.name(), vmName, plan.size(), create));
      }
    }
    return plan;
  }

  /**
   * The Idempotency-Key of a project VM's create: the same for every repeat of the request, so a
   * repeat never publishes a second create.
   */
  public static String idempotencyKey(String tenantId, String project, String vmName) {
    return "project:" + tenantId + ":" + project + ":" + vmName;
  }

  /** A planned VM as stored before its create is published, with the ids it will have. */
  public static ProjectVm toProjectVm(
      String tenantId, String project, PlannedVm vm, String vmId, String operationId) {
    return new ProjectVm(
        tenantId, project, vm.vmName(), vm.instance(), vmId, operationId, vm.position(), false);
  }

  static VmSpec spec(String tenantId, String project, Instance instance, String vmName) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(ProjectLabels.TENANT, tenantId);
    labels.put(ProjectLabels.PROJECT, project);
    putIfPresent(labels, ProjectLabels.SSH_KEY_NAME, instance.sshKeyName());
    putIfPresent(labels, ProjectLabels.SSH_PUBLIC_KEY, instance.sshPublicKey());
    String host = null;
    String group = hypervisorGroup(instance.hypervisorGroup());
    switch (placementOf(instance.provider())) {
      case HOST -> host = group;
      case VIRTFUSION_LABELS -> {
        putIfPresent(
            labels,
            ProjectLabels.HYPERVISOR_GROUP,
            group != null ? group : text(instance.hypervisorId()));
        Network n = instance.network();
        if (n != null) {
          putIfPresent(labels, ProjectLabels.NETWORK_PROFILE, text(n.profileId()));
          putIfPresent(labels, ProjectLabels.BANDWIDTH_MBPS, text(n.bandwidth()));
          putIfPresent(labels, ProjectLabels.PUBLIC_IP, text(n.publicIp()));
          if (n.firewallRulesets() != null && !n.firewallRulesets().isEmpty()) {
            labels.put(
                ProjectLabels.FIREWALL_RULESETS,
                n.firewallRulesets().stream()
                    .map(String::valueOf)
                    .collect(Collectors.joining(",")));
          }
        }
      }
      case NONE -> {
        // the validator refused hypervisor and network settings for this provider
      }
    }
    return new VmSpec(
        vmName,
        instance.provider(),
        instance.resources().cpu(),
        instance.resources().memory(),
        instance.resources().disk(),
        instance.template(),
        labels,
        host,
        null);
  }

  /**
   * {@code hypervisor_group} as text: a string as given, an integer in decimal; {@code null} when
   * absent (or JSON {@code null}).
   */
  public static String hypervisorGroup(JsonNode group) {
    if (group == null || group.isNull() || group.isMissingNode()) {
      return null;
    }
    return group.isTextual() ? group.textValue() : group.asText();
  }

  private static String text(Object value) {
    return value == null ? null : String.valueOf(value);
  }

  private static void putIfPresent(Map<String, String> labels, String key, String value) {
    if (value != null) {
      labels.put(key, value);
    }
  }

  /** The answer to a project's create. */
  public static ProjectAcceptedResponse toAccepted(String project, List<ProjectVm> vms) {
    return new ProjectAcceptedResponse(
        project,
        vms.stream()
            .map(
                vm ->
                    new ProjectAcceptedResponse.Vm(
                        vm.vmName(), vm.instance(), vm.vmId(), vm.operationId()))
            .toList());
  }

  /** A project's progress as {@code GET /v1/projects/{name}} shows it. */
  public static ProjectResponse toResponse(ProjectProgress progress) {
    Map<Phase, Integer> counts = progress.counts();
    ProjectResponse.Summary summary =
        new ProjectResponse.Summary(
            progress.vms().size(),
            counts.get(Phase.RUNNING),
            counts.get(Phase.FAILED),
            counts.get(Phase.IN_PROGRESS),
            counts.get(Phase.NOT_SUBMITTED),
            counts.get(Phase.OTHER));
    return new ProjectResponse(
        progress.project().name(),
        progress.project().createdAt(),
        summary,
        progress.vms().stream().map(ProjectMapper::toResponse).toList());
  }

  private static ProjectResponse.Vm toResponse(ProjectProgress.VmProgress p) {
    ProjectVm vm = p.vm();
    Operation create = p.create();
    boolean hasError =
        create != null && (create.errorType() != null || create.errorMessage() != null);
    return new ProjectResponse.Vm(
        vm.vmName(),
        vm.instance(),
        vm.vmId(),
        vm.operationId(),
        vm.submitted(),
        p.state(),
        create == null ? null : create.status(),
        create == null ? null : create.step(),
        hasError ? new OperationResponse.Error(create.errorType(), create.errorMessage()) : null);
  }

  /** A page of projects. */
  public static ProjectListResponse toResponse(ProjectRepository.Page page, int offset, int limit) {
    return new ProjectListResponse(
        page.items().stream()
            .map(
                s ->
                    new ProjectListResponse.Item(
                        s.project().name(), s.project().createdAt(), s.vms()))
            .toList(),
        page.total(),
        offset,
        limit);
  }
}
