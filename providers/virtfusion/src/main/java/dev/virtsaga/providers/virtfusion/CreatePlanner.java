package dev.virtsaga.providers.virtfusion;

import dev.virtsaga.providers.spi.CreateRequest;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Turns a {@link CreateRequest} and its labels (see {@link Labels}) into what VirtFusion needs:
 * user, package, hypervisor group, network profile, operating system and SSH key ids. Lookups are
 * cached ({@link AsyncCache}), so a project of many VMs of one tenant asks VirtFusion once per
 * tenant, group, package and key.
 */
final class CreatePlanner {
  private static final Logger LOG = Logger.getLogger(CreatePlanner.class);
  private static final long KBPS_PER_MBPS = 125; // 1 Mbit/s = 125 kB/s

  /** Everything a create sends to VirtFusion. */
  record Plan(
      long userId,
      long packageId,
      HypervisorGroup group,
      long networkProfileId,
      long operatingSystemId,
      List<Long> sshKeyIds,
      Long bandwidthKbps,
      Boolean publicIp,
      List<Long> firewallRulesets) {

    /** The body of {@code POST /servers}. */
    JsonObject allocation(CreateRequest request) {
      JsonObject body =
          new JsonObject()
              .put("packageId", packageId)
              .put("userId", userId)
              .put("hypervisorId", group.id())
              .put("cpuCores", request.cpus())
              .put("memory", request.memoryMiB())
              .put("networkProfile", networkProfileId);
      if (request.diskGiB() > 0) {
        body.put("storage", request.diskGiB());
      }
      if (publicIp != null) {
        body.put("ipv4", publicIp ? 1 : 0);
      }
      if (bandwidthKbps != null) {
        body.put("networkSpeedInbound", bandwidthKbps).put("networkSpeedOutbound", bandwidthKbps);
      }
      if (!firewallRulesets.isEmpty()) {
        body.put("firewallRulesets", new JsonArray(new ArrayList<>(firewallRulesets)));
      }
      return body;
    }

    /** The body of {@code POST /servers/{id}/build}. */
    JsonObject build(CreateRequest request) {
      return new JsonObject()
          .put("operatingSystemId", operatingSystemId)
          .put("name", ServerTag.name(request.name(), request.vmId()))
          .put("hostname", ServerTag.hostname(request.name()))
          .put("sshKeys", new JsonArray(new ArrayList<>(sshKeyIds)));
    }
  }

  private final VirtFusionApi api;
  private final VirtFusionSettings.Defaults defaults;
  private final AsyncCache<String, Long> users;
  private final AsyncCache<String, Long> sshKeys;
  private final AsyncCache<Long, List<JsonObject>> templates;
  private final AsyncCache<String, List<HypervisorGroup>> groups;

  CreatePlanner(VirtFusionApi api, VirtFusionSettings settings) {
    this.api = api;
    this.defaults = settings.defaults();
    this.users = new AsyncCache<>(settings.cacheTtl());
    this.sshKeys = new AsyncCache<>(settings.cacheTtl());
    this.templates = new AsyncCache<>(settings.cacheTtl());
    this.groups = new AsyncCache<>(settings.cacheTtl());
  }

  /** The plan of a create; fails with INVALID_SPEC for labels VirtFusion cannot satisfy. */
  Uni<Plan> plan(CreateRequest request) {
    return Uni.createFrom().deferred(() -> planChecked(request));
  }

  private Uni<Plan> planChecked(CreateRequest request) {
    Map<String, String> labels = request.labels();
    String tenant = label(labels, Labels.TENANT).orElse(defaults.tenant());
    if (tenant == null) {
      throw ProviderException.invalidSpec(
          "no tenant: label " + Labels.TENANT + " is missing and no default tenant is configured");
    }
    long packageId =
        label(labels, Labels.PACKAGE)
            .map(p -> positive(Labels.PACKAGE, p))
            .orElseGet(
                () -> {
                  if (defaults.packageId() == null) {
                    throw ProviderException.invalidSpec(
                        "no server package: label "
                            + Labels.PACKAGE
                            + " is missing and no default package is configured");
                  }
                  return defaults.packageId();
                });
    String groupRef = label(labels, Labels.HYPERVISOR_GROUP).orElse(defaults.hypervisorGroup());
    if (groupRef == null) {
      throw ProviderException.invalidSpec(
          "no hypervisor group: label "
              + Labels.HYPERVISOR_GROUP
              + " is missing and no default group is configured");
    }
    Optional<Long> profile =
        label(labels, Labels.NETWORK_PROFILE).map(p -> positive(Labels.NETWORK_PROFILE, p));
    Long bandwidth =
        label(labels, Labels.BANDWIDTH_MBPS)
            .map(b -> positive(Labels.BANDWIDTH_MBPS, b) * KBPS_PER_MBPS)
            .orElse(null);
    Boolean publicIp = label(labels, Labels.PUBLIC_IP).map(CreatePlanner::bool).orElse(null);
    List<Long> rulesets =
        label(labels, Labels.FIREWALL_RULESETS).map(CreatePlanner::ids).orElse(List.of());
    String image = request.image() != null ? request.image() : defaults.template();
    if (image == null || image.isBlank()) {
      throw ProviderException.invalidSpec(
          "no operating system: the request has no image and no default template is configured");
    }
    Optional<String> keyName = label(labels, Labels.SSH_KEY_NAME);
    Optional<String> publicKey = label(labels, Labels.SSH_PUBLIC_KEY);
    if (keyName.isEmpty() && publicKey.isPresent()) {
      throw ProviderException.invalidSpec(
          "label " + Labels.SSH_PUBLIC_KEY + " needs " + Labels.SSH_KEY_NAME + " too");
    }

    return userId(tenant)
        .chain(
            userId ->
                group(groupRef)
                    .chain(
                        group -> {
                          long networkProfile = networkProfile(group, profile);
                          return operatingSystem(packageId, image)
                              .chain(
                                  osId ->
                                      (keyName.isEmpty()
                                              ? Uni.createFrom().item(List.<Long>of())
                                              : sshKey(
                                                      userId, keyName.get(), publicKey.orElse(null))
                                                  .map(List::of))
                                          .map(
                                              keys ->
                                                  new Plan(
                                                      userId,
                                                      packageId,
                                                      group,
                                                      networkProfile,
                                                      osId,
                                                      keys,
                                                      bandwidth,
                                                      publicIp,
                                                      rulesets)));
                        }));
  }

  // ---- tenant → user ------------------------------------------------------------------------

  /** The VirtFusion user of a tenant (its external relation id). */
  Uni<Long> userId(String tenant) {
    return users.get(
        tenant,
        t ->
            api.userByExtRelation(t)
                .map(u -> u.getLong("id"))
                .onFailure(ProviderException.class)
                .transform(
                    e ->
                        ((ProviderException) e).type() == ErrorType.NOT_FOUND
                            ? ProviderException.invalidSpec(
                                "tenant "
                                    + t
                                    + " has no VirtFusion user (no user with that external"
                                    + " relation id)")
                            : e));
  }

  // ---- groups and networks ------------------------------------------------------------------

  /** All hypervisor groups with the network profiles of their hypervisors. */
  Uni<List<HypervisorGroup>> groups() {
    return groups.get("all", k -> loadGroups());
  }

  private Uni<List<HypervisorGroup>> loadGroups() {
    return VirtFusionApi.all(api::hypervisorGroups)
        .chain(
            groupJsons ->
                VirtFusionApi.all(api::hypervisors)
                    .map(
                        hypervisors -> {
                          List<HypervisorGroup> all = new ArrayList<>();
                          for (JsonObject g : groupJsons) {
                            long id = g.getLong("id");
                            Map<Long, HypervisorGroup.NetworkProfile> networks =
                                new LinkedHashMap<>();
                            for (JsonObject h : hypervisors) {
                              if (groupIdOf(h) == id) {
                                addNetworks(h.getValue("networks"), networks);
                              }
                            }
                            addNetworks(g.getValue("networkProfiles"), networks);
                            all.add(
                                new HypervisorGroup(
                                    id, g.getString("name"), List.copyOf(networks.values())));
                          }
                          return List.copyOf(all);
                        }));
  }

  /** A group by id or name; when the cached list lacks it, the list is read again once. */
  private Uni<HypervisorGroup> group(String ref) {
    return groups()
        .chain(
            cached ->
                findGroup(cached, ref)
                    .map(g -> Uni.createFrom().item(g))
                    .orElseGet(
                        () -> {
                          groups.invalidate("all");
                          return groups()
                              .map(
                                  fresh ->
                                      findGroup(fresh, ref)
                                          .orElseThrow(
                                              () ->
                                                  ProviderException.invalidSpec(
                                                      "unknown hypervisor group "
                                                          + ref
                                                          + "; VirtFusion has "
                                                          + fresh.stream()
                                                              .map(HypervisorGroup::toString)
                                                              .collect(Collectors.joining(", ")))));
                        }));
  }

  private static Optional<HypervisorGroup> findGroup(List<HypervisorGroup> all, String ref) {
    String wanted = ref.strip();
    return all.stream()
        .filter(
            g ->
                Long.toString(g.id()).equals(wanted)
                    || (g.name() != null && g.name().equalsIgnoreCase(wanted)))
        .findFirst();
  }

  /**
   * The network profile of a server: the request's (it must be one of the group's), else the
   * group's primary network, else its default network, else INVALID_SPEC naming the group.
   */
  static long networkProfile(HypervisorGroup group, Optional<Long> requested) {
    if (requested.isPresent()) {
      long id = requested.get();
      if (group.networks().stream().noneMatch(n -> n.id() == id)) {
        throw ProviderException.invalidSpec(
            "network profile "
                + id
                + " is not in use in hypervisor group "
                + group
                + (group.networks().isEmpty()
                    ? ", which has no network profile"
                    : "; its profiles are " + profiles(group)));
      }
      return id;
    }
    return group.networks().stream()
        .filter(HypervisorGroup.NetworkProfile::primary)
        .findFirst()
        .or(
            () ->
                group.networks().stream()
                    .filter(HypervisorGroup.NetworkProfile::isDefault)
                    .findFirst())
        .map(HypervisorGroup.NetworkProfile::id)
        .orElseThrow(
            () ->
                ProviderException.invalidSpec(
                    "hypervisor group "
                        + group
                        + " has no primary or default network"
                        + (group.networks().isEmpty()
                            ? ""
                            : " (its profiles: " + profiles(group) + ")")
                        + "; name one with label "
                        + Labels.NETWORK_PROFILE));
  }

  private static String profiles(HypervisorGroup group) {
    return group.networks().stream()
        .map(HypervisorGroup.NetworkProfile::toString)
        .collect(Collectors.joining(", "));
  }

  private static long groupIdOf(JsonObject hypervisor) {
    Object g = hypervisor.getValue("group");
    if (g instanceof JsonObject o && o.getValue("id") instanceof Number n) {
      return n.longValue();
    }
    if (hypervisor.getValue("groupId") instanceof Number n) {
      return n.longValue();
    }
    return -1;
  }

  private static void addNetworks(Object list, Map<Long, HypervisorGroup.NetworkProfile> into) {
    if (!(list instanceof JsonArray array)) {
      return;
    }
    for (Object o : array) {
      if (o instanceof JsonObject n && n.getValue("id") instanceof Number id) {
        into.putIfAbsent(
            id.longValue(),
            new HypervisorGroup.NetworkProfile(
                id.longValue(),
                n.getString("name", "network " + id),
                Boolean.TRUE.equals(n.getValue("primary")),
                Boolean.TRUE.equals(n.getValue("default"))));
      }
    }
  }

  // ---- templates ----------------------------------------------------------------------------

  /**
   * The operating system id of an image: a number is taken as an id the package offers; a name
   * matches a template's {@code name version} or {@code name version variant} ignoring case, spaces
   * and hyphens ({@code ubuntu-22.04} = Ubuntu 22.04), and must match exactly one.
   */
  Uni<Long> operatingSystem(long packageId, String image) {
    return templatesOf(packageId)
        .chain(
            cached -> {
              try {
                return Uni.createFrom().item(match(packageId, image, cached));
              } catch (ProviderException e) {
                // perhaps a template added since: read the package's templates again, once
                templates.invalidate(packageId);
                return templatesOf(packageId).map(fresh -> match(packageId, image, fresh));
              }
            });
  }

  private Uni<List<JsonObject>> templatesOf(long packageId) {
    return templates
        .get(packageId, api::templatesOfPackage)
        .onFailure(ProviderException.class)
        .transform(
            e ->
                ((ProviderException) e).type() == ErrorType.NOT_FOUND
                    ? ProviderException.invalidSpec("unknown server package " + packageId)
                    : e);
  }

  /** Forgets the SSH key ids of a user (one was refused: deleted in VirtFusion meanwhile). */
  void forgetSshKeys(long userId, List<String> names) {
    names.forEach(name -> sshKeys.invalidate(userId + "\n" + name));
  }

  private static long match(long packageId, String image, List<JsonObject> groupsOfTemplates) {
    List<JsonObject> all = new ArrayList<>();
    for (JsonObject g : groupsOfTemplates) {
      if (g.getValue("templates") instanceof JsonArray ts) {
        ts.forEach(
            t -> {
              if (t instanceof JsonObject o) {
                all.add(o);
              }
            });
      } else if (g.getValue("id") != null && g.getValue("version") != null) {
        all.add(g); // a flat list
      }
    }
    String wanted = normal(image);
    List<JsonObject> matches =
        all.stream()
            .filter(
                t ->
                    String.valueOf(t.getValue("id")).equals(image.strip())
                        || wanted.equals(
                            normal(t.getString("name", "") + " " + t.getValue("version", "")))
                        || wanted.equals(
                            normal(
                                t.getString("name", "")
                                    + " "
                                    + t.getValue("version", "")
                                    + " "
                                    + t.getValue("variant", ""))))
            .toList();
    if (matches.size() == 1) {
      return matches.get(0).getLong("id");
    }
    String offered =
        all.stream()
            .map(
                t ->
                    t.getValue("id")
                        + " "
                        + t.getString("name", "")
                        + " "
                        + t.getValue("version", ""))
            .collect(Collectors.joining(", "));
    throw ProviderException.invalidSpec(
        (matches.isEmpty() ? "no template " : "more than one template ")
            + "matches image '"
            + image
            + "' in server package "
            + packageId
            + "; it offers: "
            + offered);
  }

  private static String normal(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "-").replaceAll("-+$", "").strip();
  }

  // ---- SSH keys -----------------------------------------------------------------------------

  /**
   * The id of the user's key called {@code name}; registered once with {@code publicKey} when the
   * user has none by that name.
   */
  Uni<Long> sshKey(long userId, String name, String publicKey) {
    return sshKeys.get(
        userId + "\n" + name,
        k ->
            api.sshKeysOfUser(userId)
                .chain(
                    keys -> {
                      Optional<Long> found = keyNamed(keys, name);
                      if (found.isPresent()) {
                        return Uni.createFrom().item(found.get());
                      }
                      if (publicKey == null) {
                        throw ProviderException.invalidSpec(
                            "user "
                                + userId
                                + " has no SSH key named '"
                                + name
                                + "' and the request has no "
                                + Labels.SSH_PUBLIC_KEY
                                + " to register");
                      }
                      LOG.debugf("registering SSH key '%s' for VirtFusion user %d", name, userId);
                      return api.addSshKey(userId, name, publicKey)
                          .map(added -> added.getLong("id"))
                          .onFailure(e -> alreadyAdded(e) || e instanceof UncertainOutcomeException)
                          .recoverWithUni(
                              e ->
                                  // registered before, or maybe just now: look again
                                  api.sshKeysOfUser(userId)
                                      .map(
                                          again ->
                                              keyWithPublicKey(again, publicKey)
                                                  .or(() -> keyNamed(again, name))
                                                  .orElseThrow(
                                                      () ->
                                                          e instanceof UncertainOutcomeException u
                                                              ? u
                                                              : ProviderException.invalidSpec(
                                                                  "VirtFusion refused SSH key '"
                                                                      + name
                                                                      + "' for user "
                                                                      + userId
                                                                      + ": "
                                                                      + e.getMessage()))));
                    }));
  }

  private boolean alreadyAdded(Throwable e) {
    return e instanceof ProviderException pe
        && pe.type() == ErrorType.INVALID_SPEC
        && pe.getMessage() != null
        && pe.getMessage().toLowerCase(Locale.ROOT).contains("already");
  }

  private static Optional<Long> keyNamed(List<JsonObject> keys, String name) {
    return keys.stream()
        .filter(k -> name.equals(k.getString("name")))
        .map(k -> k.getLong("id"))
        .findFirst();
  }

  private static Optional<Long> keyWithPublicKey(List<JsonObject> keys, String publicKey) {
    String wanted = publicKey.strip();
    return keys.stream()
        .filter(k -> wanted.equals(String.valueOf(k.getValue("publicKey")).strip()))
        .map(k -> k.getLong("id"))
        .findFirst();
  }

  // ---- label syntax -------------------------------------------------------------------------

  private static Optional<String> label(Map<String, String> labels, String key) {
    String v = labels.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
  }

  private static long positive(String key, String value) {
    try {
      long n = Long.parseLong(value.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw ProviderException.invalidSpec(
        "label " + key + " must be a positive integer, was '" + value + "'");
  }

  private static boolean bool(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw ProviderException.invalidSpec(
              "label " + Labels.PUBLIC_IP + " must be true or false, was '" + value + "'");
    };
  }

  private static List<Long> ids(String value) {
    List<Long> ids = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        ids.add(positive(Labels.FIREWALL_RULESETS, part));
      }
    }
    return List.copyOf(ids);
  }
}
