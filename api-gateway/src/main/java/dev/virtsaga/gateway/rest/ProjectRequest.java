package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /v1/projects}: the seed's batch request format (snake_case). Unknown
 * properties are refused. Sizes follow {@code POST /v1/vms}; the rules that span fields or depend
 * on the provider are checked by {@code ProjectValidator}.
 */
@Schema(name = "ProjectRequest", description = "A project: several instances, each of n VMs")
public record ProjectRequest(
    @Schema(description = "The project's name, a DNS label", examples = "talis-test")
        @JsonProperty("project_name")
        @NotNull
        @Pattern(regexp = DNS_LABEL, message = "must be a DNS label: " + DNS_LABEL)
        String projectName,
    @Schema(description = "1 to 50 instances; at most 100 VMs in all")
        @NotNull
        @Size(min = 1, max = MAX_INSTANCES)
        @Valid
        List<@NotNull @Valid Instance> instances) {

  public static final String DNS_LABEL = CreateVmRequest.NAME_PATTERN;
  public static final int MAX_INSTANCES = 50;
  public static final int MAX_VMS = 100;

  /** One instance: {@code number_of_instances} VMs of the same shape. */
  @Schema(name = "ProjectInstance")
  public record Instance(
      @Schema(
              description =
                  "Unique in the project; the VM is named after it (name-1 … name-n when"
                      + " number_of_instances > 1)",
              examples = "web")
          @NotNull
          @Pattern(regexp = DNS_LABEL, message = "must be a DNS label: " + DNS_LABEL)
          String name,
      @Schema(description = "One of the enabled providers", examples = "virtfusion") @NotNull
          String provider,
      @Schema(description = "How many VMs (default 1)", defaultValue = "1")
          @JsonProperty("number_of_instances")
          @Min(1)
          @Max(MAX_VMS)
          Integer numberOfInstances,
      @Schema(
              description =
                  "Post-create configuration management; VirtSaga has none, so true is refused"
                      + " (422 not-supported)")
          Boolean provision,
      @Schema(
              description =
                  "VirtFusion: the hypervisor group to build on (VirtFusion's create takes a group"
                      + " id as hypervisorId); at most one of hypervisor_id and hypervisor_group")
          @JsonProperty("hypervisor_id")
          @Min(1)
          Integer hypervisorId,
      @Schema(
              description = "VirtFusion: hypervisor group by name or id; libvirt: the host's name",
              oneOf = {String.class, Integer.class})
          @JsonProperty("hypervisor_group")
          JsonNode hypervisorGroup,
      @NotNull @Valid Resources resources,
      @Schema(description = "OS template or image, provider-specific", examples = "ubuntu-22.04")
          @Size(min = 1, max = 1024)
          String template,
      @Schema(description = "The name of the SSH key to install", examples = "default")
          @JsonProperty("ssh_key_name")
          @Size(min = 1, max = 255)
          @Pattern(regexp = PRINTABLE, message = "must be printable characters, no line breaks")
          String sshKeyName,
      @Schema(
              description =
                  "VirtSaga extension: the public key to register under ssh_key_name when the"
                      + " provider has none by that name")
          @JsonProperty("ssh_public_key")
          @Size(max = 16_384)
          @Pattern(
              regexp = SSH_PUBLIC_KEY,
              message = "must be one OpenSSH public key line (type, base64 key, optional comment)")
          String sshPublicKey,
      @Valid Network network,
      @Schema(description = "Extra volumes: no provider supports them yet (422 when not empty)")
          List<@NotNull @Valid Volume> volumes) {}

  /** What each VM of an instance gets. */
  @Schema(name = "ProjectResources")
  public record Resources(
      @Schema(description = "Memory in MB (MiB)", examples = "1024")
          @NotNull
          @Min(64)
          @Max(1_048_576)
          Long memory,
      @Schema(description = "Root disk in GB (GiB)", examples = "25") @NotNull @Min(0) @Max(65_536)
          Long disk,
      @Schema(description = "CPU cores", examples = "1") @NotNull @Min(1) @Max(128) Integer cpu) {}

  /** VirtFusion network settings; meaningless (422) on other providers. */
  @Schema(name = "ProjectNetwork")
  public record Network(
      @Schema(description = "VirtFusion network profile id") @JsonProperty("profile_id") @Min(1)
          Integer profileId,
      @Schema(description = "Network speed in Mbit/s") @Min(1) @Max(1_000_000) Integer bandwidth,
      @Schema(description = "Whether the VM gets a public IPv4 address") @JsonProperty("public_ip")
          Boolean publicIp,
      @Schema(description = "VirtFusion firewall ruleset ids")
          @JsonProperty("firewall_rulesets")
          @Size(max = 32)
          List<@NotNull @Min(1) Integer> firewallRulesets) {}

  /** An extra volume (not supported by any provider yet). */
  @Schema(name = "ProjectVolume")
  public record Volume(
      @NotNull @Pattern(regexp = DNS_LABEL, message = "must be a DNS label: " + DNS_LABEL)
          String name,
      @JsonProperty("size_gb") @NotNull @Min(1) @Max(65_536) Long sizeGb,
      @JsonProperty("mount_point") @NotNull @Size(min = 1, max = 4096) String mountPoint) {}

  static final String PRINTABLE = "^[^\\p{Cntrl}]+$";
  static final String SSH_PUBLIC_KEY =
      "^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)"
          + "|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\\.com)"
          + " [A-Za-z0-9+/]+={0,3}( [^\\p{Cntrl}]*)?$";
}
