package dev.virtsaga.devstack.virtfusion;

import dev.virtsaga.devstack.virtfusion.Inventory.Hypervisor;
import dev.virtsaga.devstack.virtfusion.Inventory.HypervisorGroup;
import dev.virtsaga.devstack.virtfusion.Inventory.NetworkProfile;
import dev.virtsaga.devstack.virtfusion.Inventory.OsTemplate;
import dev.virtsaga.devstack.virtfusion.Inventory.OsTemplateGroup;
import dev.virtsaga.devstack.virtfusion.Inventory.ServerPackage;
import dev.virtsaga.devstack.virtfusion.SimulatorState.Address;
import dev.virtsaga.devstack.virtfusion.SimulatorState.QueueItem;
import dev.virtsaga.devstack.virtfusion.SimulatorState.Server;
import dev.virtsaga.devstack.virtfusion.SimulatorState.SshKey;
import dev.virtsaga.devstack.virtfusion.SimulatorState.User;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * The simulator's records as VirtFusion's JSON shows them (server, user, key, hypervisor, group,
 * package, templates, queue item), and as {@link SimServer} snapshots. Called by {@link
 * SimulatorState} under its lock.
 */
final class ApiViews {

  private final Inventory inventory;
  private final Clock clock;
  private final Instant inventoryCreated;
  private final LongFunction<User> users;
  private final LongFunction<SshKey> keys;
  private final LongFunction<QueueItem> queue;

  ApiViews(
      Inventory inventory,
      Clock clock,
      Instant inventoryCreated,
      LongFunction<User> users,
      LongFunction<SshKey> keys,
      LongFunction<QueueItem> queue) {
    this.inventory = inventory;
    this.clock = clock;
    this.inventoryCreated = inventoryCreated;
    this.users = users;
    this.keys = keys;
    this.queue = queue;
  }

  SimServer snapshotOf(Server s) {
    return new SimServer(
        s.id,
        s.uuid,
        s.name,
        s.hostname,
        s.ownerId,
        s.groupId,
        s.hypervisorId,
        s.packageId,
        s.state,
        s.commissionStatus,
        s.suspended,
        s.buildFailed,
        s.deleteAt,
        s.cpuCores,
        s.memory,
        s.storage,
        s.traffic,
        s.networkProfileId,
        s.ipv4.stream().map(Address::address).toList(),
        s.ipv6,
        s.osTemplateId,
        s.firewallRulesets);
  }

  JsonObject serverJson(Server s) {
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    HypervisorGroup g = inventory.group(s.groupId).orElseThrow();
    User owner = users.apply(s.ownerId);
    QueueItem active = s.activeQueueId == null ? null : queue.apply(s.activeQueueId);
    JsonArray sshKeys = new JsonArray();
    for (Long keyId : s.sshKeyIds) {
      SshKey k = keys.apply(keyId);
      if (k != null) {
        sshKeys.add(
            new JsonObject()
                .put("id", k.id)
                .put("ownerId", k.userId)
                .put("type", k.type)
                .put("name", k.name)
                .put("enabled", true));
      }
    }
    return new JsonObject()
        .put("id", s.id)
        .put("ownerId", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("arch", 1)
        .put("name", s.name)
        .put("hostname", s.hostname)
        .put("commissionStatus", s.commissionStatus)
        .put("uuid", s.uuid)
        .put("state", s.state)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("buildFailed", s.buildFailed)
        .put("rebuild", false)
        .put("deleting", s.deleteAt != null)
        .put("deleteAfter", Json.time(s.deleteAt))
        .put("built", Json.time(s.built))
        .put("created", Json.time(s.created))
        .put("updated", Json.time(s.updated))
        .put(
            "settings",
            new JsonObject()
                .put("osTemplateInstall", s.osTemplateId != null)
                .put("osTemplateInstallId", s.osTemplateId)
                .put("resources", resourcesJson(s)))
        .put("cpu", new JsonObject().put("cores", s.cpuCores).put("throttle", 0))
        .put("vnc", vncJson(s, h))
        .put(
            "network",
            new JsonObject()
                .put("interfaces", new JsonArray().add(interfaceJson(s)))
                .put("secondaryInterfaces", new JsonArray()))
        .put(
            "storage",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("id", s.id)
                        .put("capacity", s.storage)
                        .put("drive", "vda")
                        .put("type", "local")
                        .put("primary", true)
                        .put("enabled", true)))
        .put(
            "hypervisor",
            new JsonObject()
                .put("id", h.id())
                .put("ip", h.ip())
                .put("hostname", null)
                .put("name", h.name())
                .put("maintenance", false)
                .put("groupId", g.id())
                .put("group", new JsonObject().put("name", g.name()).put("icon", null)))
        .put("owner", owner == null ? null : userJson(owner))
        .put("os", osJson(s))
        .put("sshKeys", sshKeys)
        .put(
            "tasks",
            new JsonObject()
                .put("active", active != null && active.finished == null)
                .put("lastOn", active == null ? null : Json.time(active.started))
                .put("actions", new JsonObject().put("pending", new JsonArray())));
  }

  static JsonObject simpleServerJson(Server s) {
    return new JsonObject()
        .put("id", s.id)
        .put("uuid", s.uuid)
        .put("name", s.name)
        .put("commissioned", s.commissionStatus)
        .put("owner", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("updated", Json.time(s.updated))
        .put("created", Json.time(s.created));
  }

  JsonObject userServerJson(Server s) {
    Hypervisor h = inventory.hypervisor(s.hypervisorId).orElseThrow();
    return new JsonObject()
        .put("id", s.id)
        .put("ownerId", s.ownerId)
        .put("hypervisorId", s.hypervisorId)
        .put("name", s.name)
        .put("hostname", s.hostname)
        .put("commissionStatus", s.commissionStatus)
        .put("uuid", s.uuid)
        .put("state", s.state)
        .put("rebuild", false)
        .put("suspended", s.suspended)
        .put("protected", false)
        .put("buildFailed", s.buildFailed)
        .put("os", osJson(s))
        .put("vnc", vncJson(s, h))
        .put("resources", resourcesJson(s))
        .put("network", new JsonObject().put("interfaces", new JsonArray().add(interfaceJson(s))));
  }

  private JsonObject interfaceJson(Server s) {
    NetworkProfile p = inventory.networkProfile(s.networkProfileId).orElseThrow();
    JsonArray v4 = new JsonArray();
    int order = 1;
    for (Address a : s.ipv4) {
      v4.add(
          new JsonObject()
              .put("id", a.id())
              .put("order", order++)
              .put("enabled", true)
              .put("blockId", p.id())
              .put("address", a.address())
              .put("gateway", a.gateway())
              .put("netmask", "255.255.255.0")
              .put("resolver1", "1.1.1.1")
              .put("resolver2", "9.9.9.9")
              .put("rdns", null)
              .put("mac", null));
    }
    JsonArray v6 = new JsonArray();
    for (String address : s.ipv6) {
      String subnet = address.substring(0, address.length() - 1);
      v6.add(
          new JsonObject()
              .put("subnet", subnet)
              .put("cidr", 64)
              .put("gateway", "fe80::1")
              .put("enabled", true)
              .put("addresses", new JsonArray().add(address)));
    }
    return new JsonObject()
        .put("id", s.id)
        .put("order", 1)
        .put("enabled", true)
        .put("tag", 0)
        .put("name", "eth0")
        .put("type", "public")
        .put(
            "mac",
            String.format(
                Locale.ROOT,
                "52:54:00:%02x:%02x:%02x",
                (s.id >> 16) & 0xff,
                (s.id >> 8) & 0xff,
                s.id & 0xff))
        .put("networkProfile", p.id())
        .put("firewallEnabled", !s.firewallRulesets.isEmpty())
        .put("firewall", new JsonArray(new ArrayList<>(s.firewallRulesets)))
        .put(
            "hypervisorConnectivity",
            new JsonObject()
                .put("id", p.id())
                .put("type", "bridge")
                .put("bridge", "br" + p.id())
                .put("mtu", null)
                .put("primary", p.primary())
                .put("default", p.isDefault()))
        .put("ipv4", v4)
        .put("ipv6", v6);
  }

  private static JsonObject resourcesJson(Server s) {
    return new JsonObject()
        .put("memory", s.memory)
        .put("storage", s.storage)
        .put("traffic", s.traffic)
        .put("cpuCores", s.cpuCores);
  }

  private static JsonObject vncJson(Server s, Hypervisor h) {
    return new JsonObject()
        .put("ip", h.ip())
        .put("port", 5900 + (int) (s.id % 10000))
        .put("enabled", s.vnc);
  }

  private JsonObject osJson(Server s) {
    if (s.osTemplateId == null) {
      return null;
    }
    OsTemplate t = inventory.template(s.osTemplateId).orElseThrow();
    return new JsonObject()
        .put("templateId", t.id())
        .put("name", t.name())
        .put("version", t.version())
        .put("variant", t.variant())
        .put("dist", t.name().toLowerCase(Locale.ROOT).replace(' ', '-'));
  }

  JsonObject hypervisorJson(Hypervisor h) {
    HypervisorGroup g = inventory.groupOf(h);
    JsonObject group = groupJson(g);
    group.remove("networkProfiles");
    JsonArray networks = new JsonArray();
    g.networkProfiles().forEach(p -> networks.add(networkJson(p)));
    return new JsonObject()
        .put("id", h.id())
        .put("commissioned", SimulatorState.COMMISSION_BUILT)
        .put("ip", h.ip())
        .put("ipAlt", null)
        .put("hostname", null)
        .put("port", 8892)
        .put("sshPort", 22)
        .put("name", h.name())
        .put("maintenance", false)
        .put("enabled", true)
        .put("nfType", 1)
        .put("group", group)
        .put("maxServers", h.maxServers())
        .put("maxCpu", h.maxCpuCores())
        .put("maxMemory", h.maxMemoryMb())
        .put("networks", networks)
        .put("storage", new JsonArray())
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  private JsonObject networkJson(NetworkProfile p) {
    return new JsonObject()
        .put("id", p.id())
        .put("name", p.name())
        .put("type", "bridge")
        .put("bridge", "br" + p.id())
        .put("primary", p.primary())
        .put("default", p.isDefault())
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  /**
   * A group; {@code networkProfiles} is the simulator's addition (the real API lists them on each
   * hypervisor as {@code networks}).
   */
  JsonObject groupJson(HypervisorGroup g) {
    JsonArray profiles = new JsonArray();
    g.networkProfiles().forEach(p -> profiles.add(networkJson(p)));
    return new JsonObject()
        .put("id", g.id())
        .put("name", g.name())
        .put("label", null)
        .put("description", g.name())
        .put("distributionType", 1)
        .put("enabled", true)
        .put("default", g.equals(inventory.groups().get(0)))
        .put("networkProfiles", profiles)
        .put("created", Json.time(inventoryCreated))
        .put("updated", Json.time(inventoryCreated));
  }

  static JsonObject resource(String units, int max, int allocated) {
    return new JsonObject()
        .put("units", units)
        .put("max", max)
        .put("allocated", allocated)
        .put("free", Math.max(0, max - allocated))
        .put("percent", max == 0 ? null : Math.round(allocated * 1000.0 / max) / 10.0);
  }

  JsonObject packageJson(ServerPackage p) {
    return new JsonObject()
        .put("id", p.id())
        .put("name", p.name())
        .put("description", null)
        .put("enabled", true)
        .put("memory", p.memoryMb())
        .put("primaryStorage", p.storageGb())
        .put("traffic", p.trafficGb())
        .put("cpuCores", p.cpuCores())
        .put("primaryNetworkSpeedIn", 0)
        .put("primaryNetworkSpeedOut", 0)
        .put("primaryDiskType", "inherit")
        .put("backupPlanId", 0)
        .put("primaryStorageProfile", 0)
        .put("primaryNetworkProfile", 0)
        .put("created", Json.time(inventoryCreated));
  }

  JsonArray templatesJson(ServerPackage pkg) {
    JsonArray groups = new JsonArray();
    for (OsTemplateGroup tg : inventory.templates()) {
      JsonArray templates = new JsonArray();
      for (OsTemplate t : tg.templates()) {
        if (pkg.templateIds().contains(t.id())) {
          templates.add(
              new JsonObject()
                  .put("id", t.id())
                  .put("name", t.name())
                  .put("version", t.version())
                  .put("variant", t.variant())
                  .put("arch", 1)
                  .put("description", "")
                  .put("icon", iconOf(tg.name()))
                  .put("eol", false)
                  .put("eol_date", null)
                  .put("eol_warning", false)
                  .put("deploy_type", 1)
                  .put("vnc", false)
                  .put("type", "linux"));
        }
      }
      if (!templates.isEmpty()) {
        groups.add(
            new JsonObject()
                .put("id", tg.id())
                .put("name", tg.name())
                .put("description", "")
                .put("icon", iconOf(tg.name()))
                .put("templates", templates));
      }
    }
    return groups;
  }

  private static String iconOf(String name) {
    return name.toLowerCase(Locale.ROOT).replace(' ', '_') + "_logo.png";
  }

  JsonObject userJson(User u) {
    return new JsonObject()
        .put("id", u.id)
        .put("admin", false)
        .put("extRelationId", u.extRelationId)
        .put("relStr", u.relStr)
        .put("selfService", 0)
        .put("selfServiceHourlyGroupProfiles", new JsonArray())
        .put("selfServiceResourceGroupProfiles", new JsonArray())
        .put("selfServiceHourlyResourcePack", null)
        .put("name", u.name)
        .put("email", u.email)
        .put("timezone", "UTC")
        .put("suspended", false)
        .put("twoFactorAuth", false)
        .put("created", Json.time(u.created))
        .put("updated", Json.time(u.created));
  }

  static JsonObject keyJson(SshKey k) {
    return new JsonObject()
        .put("id", k.id)
        .put("name", k.name)
        .put("publicKey", k.publicKey)
        .put("type", k.type)
        .put("enabled", true)
        .put("created", Json.time(k.created))
        .put("updated", Json.time(k.created));
  }

  JsonObject queueJson(QueueItem q) {
    Instant now = clock.instant();
    int progress;
    if (q.finished != null) {
      progress = 100;
    } else {
      long total = Duration.between(q.started, q.due).toMillis();
      long done = Duration.between(q.started, now).toMillis();
      progress = total <= 0 ? 99 : (int) Math.min(99, done * 100 / total);
    }
    JsonArray errors = new JsonArray();
    if (q.error != null) {
      errors.add(q.error);
    }
    return new JsonObject()
        .put("id", q.id)
        .put("jobId", "sim-" + q.id)
        .put("job", "server." + q.action)
        .put("hypervisorId", q.hypervisorId)
        .put("serverId", q.serverId)
        .put("action", q.action)
        .put("queue", "default")
        .put("started", Json.time(q.started))
        .put("updated", Json.time(q.finished != null ? q.finished : now))
        .put("finished", Json.time(q.finished))
        .put("failed", q.failed)
        .put("progress", progress)
        .put(
            "errors",
            new JsonObject()
                .put(
                    "exception",
                    new JsonObject()
                        .put("stringable", false)
                        .put("errors", errors)
                        .put("type", null)
                        .put("trace", null)
                        .put("message", q.error)))
        .put("primaryActions", new JsonArray())
        .put("subActions", new JsonArray());
  }
}
