package dev.virtsaga.gateway.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virtsaga.gateway.FieldError;
import dev.virtsaga.gateway.InvalidRequestException;
import dev.virtsaga.gateway.NotSupportedException;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.mapping.ProjectMapper;
import dev.virtsaga.gateway.mapping.ProjectMapper.Placement;
import dev.virtsaga.gateway.rest.ProjectRequest;
import dev.virtsaga.gateway.rest.ProjectRequest.Instance;
import dev.virtsaga.gateway.rest.ProjectRequest.Network;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a project request before anything is stored or published: first its shape and ranges (400,
 * every offending field at once, named as in the JSON: {@code instances[1].resources.cpu}), then
 * what VirtSaga or the instance's provider cannot do (422 {@code not-supported}, naming each
 * field). Capabilities the providers declare are checked afterwards, per VM, by {@link
 * CommandService#checkCreate}.
 */
@ApplicationScoped
public class ProjectValidator {
  private static final Pattern DNS_LABEL = Pattern.compile(ProjectRequest.DNS_LABEL);
  private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");
  private static final int MAX_GROUP_NAME = 255;

  private final Validator validator;
  private final GatewayConfig config;

  public ProjectValidator(Validator validator, GatewayConfig config) {
    this.validator = validator;
    this.config = config;
  }

  /**
   * @throws InvalidRequestException the request is malformed or out of range (400)
   * @throws NotSupportedException it asks for what VirtSaga or the provider does not do (422)
   */
  public void validate(ProjectRequest body) {
    if (body == null) {
      throw new InvalidRequestException(
          "A request body is required", List.of(new FieldError("body", "must not be empty")));
    }
    Set<FieldError> errors = new LinkedHashSet<>(violations(body));
    if (body.instances() != null) {
      checkInstances(body.instances(), errors);
    }
    if (!errors.isEmpty()) {
      throw new InvalidRequestException(
          "The request body breaks " + errors.size() + " rule(s)", List.copyOf(errors));
    }
    List<FieldError> unsupported = new ArrayList<>();
    for (int i = 0; i < body.instances().size(); i++) {
      checkSupported(body.instances().get(i), "instances[" + i + "].", unsupported);
    }
    if (!unsupported.isEmpty()) {
      throw new NotSupportedException(
          "The request asks for what is not supported: "
              + String.join(
                  "; ", unsupported.stream().map(e -> e.field() + ": " + e.message()).toList()),
          unsupported);
    }
  }

  private void checkInstances(List<Instance> instances, Set<FieldError> errors) {
    Set<String> instanceNames = new HashSet<>();
    Map<String, String> vmNames = new HashMap<>();
    long total = 0;
    for (int i = 0; i < instances.size(); i++) {
      Instance instance = instances.get(i);
      if (instance == null) {
        continue;
      }
      String at = "instances[" + i + "].";
      if (instance.provider() != null && !config.enabledProviders().contains(instance.provider())) {
        errors.add(
            new FieldError(
                at + "provider",
                "must be one of the enabled providers "
                    + String.join(", ", config.enabledProviders())));
      }
      if (instance.hypervisorId() != null
          && ProjectMapper.hypervisorGroup(instance.hypervisorGroup()) != null) {
        errors.add(
            new FieldError(
                at + "hypervisor_group", "give at most one of hypervisor_id and hypervisor_group"));
      }
      checkHypervisorGroup(instance.hypervisorGroup(), at + "hypervisor_group", errors);
      if (instance.sshPublicKey() != null && instance.sshKeyName() == null) {
        errors.add(
            new FieldError(
                at + "ssh_public_key", "needs ssh_key_name: the name to register the key under"));
      }
      if (instance.name() == null || !DNS_LABEL.matcher(instance.name()).matches()) {
        continue; // reported by the bean constraints
      }
      if (!instanceNames.add(instance.name())) {
        errors.add(
            new FieldError(
                at + "name", "duplicate instance name '" + instance.name() + "' in the project"));
        continue;
      }
      int count = ProjectMapper.count(instance);
      if (count < 1 || count > ProjectRequest.MAX_VMS) {
        continue; // reported by the bean constraints
      }
      total += count;
      checkVmNames(instance.name(), count, at, vmNames, errors);
    }
    if (total > ProjectRequest.MAX_VMS) {
      errors.add(
          new FieldError(
              "instances",
              "asks for "
                  + total
                  + " VMs in all; a project has at most "
                  + ProjectRequest.MAX_VMS));
    }
  }

  /** The VMs' names must be DNS labels too, and unique across the project's instances. */
  private static void checkVmNames(
      String instance, int count, String at, Map<String, String> taken, Set<FieldError> errors) {
    for (String vmName : ProjectMapper.vmNames(instance, count)) {
      if (!DNS_LABEL.matcher(vmName).matches()) {
        errors.add(
            new FieldError(
                at + "name",
                "with number_of_instances "
                    + count
                    + " the VMs are named "
                    + instance
                    + "-1 … "
                    + instance
                    + "-"
                    + count
                    + ", which must be DNS labels (at most 63 characters)"));
        return;
      }
      String other = taken.putIfAbsent(vmName, instance);
      if (other != null) {
        errors.add(
            new FieldError(
                at + "name",
                "its VM '" + vmName + "' has the name of a VM of instance '" + other + "'"));
        return;
      }
    }
  }

  private static void checkHypervisorGroup(JsonNode group, String field, Set<FieldError> errors) {
    if (group == null || group.isNull()) {
      return;
    }
    if (group.isTextual()) {
      String name = group.textValue();
      if (name.isBlank()
          || name.length() > MAX_GROUP_NAME
          || name.chars().anyMatch(Character::isISOControl)) {
        errors.add(
            new FieldError(
                field, "must be a name of 1 to " + MAX_GROUP_NAME + " printable characters"));
      }
      return;
    }
    if (group.isIntegralNumber()) {
      BigInteger id = group.bigIntegerValue();
      if (id.signum() > 0 && id.bitLength() < Integer.SIZE) {
        return;
      }
    }
    errors.add(new FieldError(field, "must be a string (a name) or a positive integer (an id)"));
  }

  /** What VirtSaga or the instance's provider cannot do, each with its field. */
  private static void checkSupported(Instance instance, String at, List<FieldError> unsupported) {
    if (Boolean.TRUE.equals(instance.provision())) {
      unsupported.add(
          new FieldError(
              at + "provision",
              "VirtSaga has no post-create configuration management; set provision to false and"
                  + " configure the VMs yourself"));
    }
    if (instance.volumes() != null && !instance.volumes().isEmpty()) {
      unsupported.add(
          new FieldError(
              at + "volumes",
              "extra volumes are not supported by any provider yet; give the root disk's size in"
                  + " resources.disk"));
    }
    Placement placement = ProjectMapper.placementOf(instance.provider());
    String provider = instance.provider();
    if (placement != Placement.VIRTFUSION_LABELS) {
      if (instance.hypervisorId() != null) {
        unsupported.add(
            new FieldError(
                at + "hypervisor_id",
                placement == Placement.HOST
                    ? "provider " + provider + " names its hosts: give hypervisor_group as a name"
                    : "provider " + provider + " has no hypervisor groups"));
      }
      JsonNode group = instance.hypervisorGroup();
      if (group != null && !group.isNull() && (placement == Placement.NONE || !group.isTextual())) {
        unsupported.add(
            new FieldError(
                at + "hypervisor_group",
                placement == Placement.HOST
                    ? "provider " + provider + " names its hosts: give the host's name"
                    : "provider " + provider + " has no hypervisor groups"));
      }
      Network n = instance.network();
      if (n != null) {
        String why = "a VirtFusion setting; provider " + provider + " has no such setting";
        if (n.profileId() != null) {
          unsupported.add(new FieldError(at + "network.profile_id", why));
        }
        if (n.bandwidth() != null) {
          unsupported.add(new FieldError(at + "network.bandwidth", why));
        }
        if (n.publicIp() != null) {
          unsupported.add(new FieldError(at + "network.public_ip", why));
        }
        if (n.firewallRulesets() != null && !n.firewallRulesets().isEmpty()) {
          unsupported.add(new FieldError(at + "network.firewall_rulesets", why));
        }
      }
    }
  }

  private List<FieldError> violations(ProjectRequest body) {
    Set<FieldError> errors = new LinkedHashSet<>();
    validator.validate(body).stream()
        .sorted(
            Comparator.comparing(
                (ConstraintViolation<ProjectRequest> v) -> v.getPropertyPath().toString()))
        .forEach(
            v ->
                errors.add(
                    new FieldError(jsonPath(v.getPropertyPath().toString()), v.getMessage())));
    return List.copyOf(errors);
  }

  /**
   * A bean-validation path as the JSON names it: {@code instances[0].numberOfInstances} → {@code
   * instances[0].number_of_instances}; list elements as their index.
   */
  static String jsonPath(String path) {
    String cleaned = path.replace(".<list element>", "").replace("<list element>", "");
    return CAMEL.matcher(cleaned).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
  }
}
