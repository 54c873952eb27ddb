package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.ReconfigureRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * A VM's CPUs, memory and disks as {@code config.hardware} and {@code config.extraConfig} show
 * them, and the {@code ReconfigVM_Task} spec that brings them to a {@link ReconfigureRequest}.
 *
 * <p><b>Disk ids:</b> a disk the adapter added carries its id in the VM's extraConfig, {@code
 * virtsaga.disk.<id> = <controllerKey>:<unitNumber>} (a device's key may change; its slot does
 * not). The root disk, {@code root}, is the disk with the lowest device key among the others.
 */
record VmHardware(int cpus, long memoryMiB, List<Disk> disks) {
  static final List<String> PATHS =
      List.of(
          "config.hardware.numCPU",
          "config.hardware.memoryMB",
          "config.hardware.device",
          "config.extraConfig");

  static final String DISK_KEY_PREFIX = "virtsaga.disk.";
  private static final long KIB_PER_GIB = 1024L * 1024L;

  /** SCSI unit 7 is the controller's own. */
  private static final int SCSI_SELF_UNIT = 7;

  private static final int MAX_UNITS = 16;

  /**
   * One virtual disk.
   *
   * @param id VirtSaga's id ({@code root}, or the id it was added as), {@code null} for a disk the
   *     adapter did not add that is not the root disk
   */
  record Disk(
      String id,
      int key,
      int controllerKey,
      int unitNumber,
      long capacityKiB,
      String label,
      String backingType,
      String fileName,
      String diskMode) {}

  static VmHardware of(ObjectContent props) {
    Map<String, String> slots = new LinkedHashMap<>(); // "controllerKey:unit" → id
    Element extra = props.values().get("config.extraConfig");
    if (extra != null) {
      for (Element option : Soap.children(extra, "OptionValue")) {
        String key = Soap.childText(option, "key").trim();
        if (key.startsWith(DISK_KEY_PREFIX)) {
          slots.put(
              Soap.childText(option, "value").trim(), key.substring(DISK_KEY_PREFIX.length()));
        }
      }
    }
    List<Disk> disks = new ArrayList<>();
    Element devices = props.values().get("config.hardware.device");
    if (devices != null) {
      for (Element d : Soap.children(devices, "VirtualDevice")) {
        if (!"VirtualDisk".equals(Soap.xsiType(d))) {
          continue;
        }
        int controllerKey = intOf(Soap.childText(d, "controllerKey"));
        int unit = intOf(Soap.childText(d, "unitNumber"));
        Element backing = Soap.child(d, "backing").orElse(null);
        disks.add(
            new Disk(
                slots.get(controllerKey + ":" + unit),
                intOf(Soap.childText(d, "key")),
                controllerKey,
                unit,
                longOf(Soap.childText(d, "capacityInKB")),
                Soap.child(d, "deviceInfo").map(i -> Soap.childText(i, "label")).orElse(""),
                backing == null ? "" : Soap.xsiType(backing),
                backing == null ? "" : Soap.childText(backing, "fileName"),
                backing == null ? "" : Soap.childText(backing, "diskMode")));
      }
    }
    disks.sort(Comparator.comparingInt(Disk::key));
    for (int i = 0; i < disks.size(); i++) {
      if (disks.get(i).id() == null) {
        Disk root = disks.get(i);
        disks.set(
            i,
            new Disk(
                "root",
                root.key(),
                root.controllerKey(),
                root.unitNumber(),
                root.capacityKiB(),
                root.label(),
                root.backingType(),
                root.fileName(),
                root.diskMode()));
        break;
      }
    }
    return new VmHardware(
        (int) props.number("config.hardware.numCPU").orElse(0L).longValue(),
        props.number("config.hardware.memoryMB").orElse(0L),
        List.copyOf(disks));
  }

  Optional<Disk> disk(String id) {
    return disks.stream().filter(d -> id.equals(d.id())).findFirst();
  }

  /**
   * The inner XML of {@code ReconfigVM_Task} ({@code <spec>…</spec>}) that brings this hardware to
   * the request, or empty when it already matches.
   *
   * @throws ProviderException NOT_SUPPORTED for a disk that would shrink or a VM without a disk
   *     controller to add a disk to — before anything is changed
   */
  Optional<String> specFor(ReconfigureRequest request) {
    StringBuilder spec = new StringBuilder();
    if (request.cpus() != null && request.cpus() != cpus) {
      spec.append(Soap.element("numCPUs", Integer.toString(request.cpus())));
    }
    if (request.memoryMiB() != null && request.memoryMiB() != memoryMiB) {
      spec.append(Soap.element("memoryMB", Long.toString(request.memoryMiB())));
    }
    StringBuilder devices = new StringBuilder();
    StringBuilder extra = new StringBuilder();
    Set<String> used = new HashSet<>();
    disks.forEach(d -> used.add(d.controllerKey() + ":" + d.unitNumber()));
    int newKey = -100;
    for (ReconfigureRequest.DiskChange change : request.disks()) {
      long kib = change.sizeGiB() * KIB_PER_GIB;
      Optional<Disk> existing = disk(change.diskId());
      if (existing.isPresent()) {
        Disk d = existing.get();
        if (d.capacityKiB() > kib) {
          throw ProviderException.notSupported(
              "vSphere cannot shrink a disk: "
                  + change.diskId()
                  + " has "
                  + d.capacityKiB() / KIB_PER_GIB
                  + " GiB, asked "
                  + change.sizeGiB());
        }
        if (d.capacityKiB() < kib) {
          devices.append(editDisk(d, kib));
        }
        continue;
      }
      Disk root =
          disks.stream()
              .findFirst()
              .orElseThrow(
                  () ->
                      ProviderException.notSupported(
                          "the VM has no disk, so no controller to add disk "
                              + change.diskId()
                              + " to"));
      int unit = freeUnit(root.controllerKey(), used, change.diskId());
      used.add(root.controllerKey() + ":" + unit);
      devices.append(addDisk(newKey--, root.controllerKey(), unit, kib));
      extra
          .append("<extraConfig xsi:type=\"OptionValue\">")
          .append(Soap.element("key", DISK_KEY_PREFIX + change.diskId()))
          .append("<value xsi:type=\"xsd:string\">")
          .append(Soap.escape(root.controllerKey() + ":" + unit))
          .append("</value></extraConfig>");
    }
    if (spec.isEmpty() && devices.isEmpty()) {
      return Optional.empty();
    }
    // element order of VirtualMachineConfigSpec: numCPUs, memoryMB, deviceChange, extraConfig
    return Optional.of("<spec>" + spec + devices + extra + "</spec>");
  }

  private static int freeUnit(int controllerKey, Set<String> used, String diskId) {
    for (int unit = 0; unit < MAX_UNITS; unit++) {
      if (unit != SCSI_SELF_UNIT && !used.contains(controllerKey + ":" + unit)) {
        return unit;
      }
    }
    throw ProviderException.notSupported(
        "controller " + controllerKey + " has no free slot for disk " + diskId);
  }

  private static String addDisk(int key, int controllerKey, int unit, long kib) {
    return "<deviceChange><operation>add</operation><fileOperation>create</fileOperation>"
        + "<device xsi:type=\"VirtualDisk\">"
        + Soap.element("key", Integer.toString(key))
        + "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName></fileName>"
        + "<diskMode>persistent</diskMode><thinProvisioned>true</thinProvisioned></backing>"
        + Soap.element("controllerKey", Integer.toString(controllerKey))
        + Soap.element("unitNumber", Integer.toString(unit))
        + Soap.element("capacityInKB", Long.toString(kib))
        + Soap.element("capacityInBytes", Long.toString(kib * 1024))
        + "</device></deviceChange>";
  }

  private static String editDisk(Disk d, long kib) {
    String backingType =
        d.backingType().isEmpty() ? "VirtualDiskFlatVer2BackingInfo" : d.backingType();
    return "<deviceChange><operation>edit</operation><device xsi:type=\"VirtualDisk\">"
        + Soap.element("key", Integer.toString(d.key()))
        + "<deviceInfo>"
        + Soap.element("label", d.label())
        + Soap.element("summary", "")
        + "</deviceInfo><backing xsi:type=\""
        + Soap.escape(backingType)
        + "\">"
        + Soap.element("fileName", d.fileName())
        + Soap.element("diskMode", d.diskMode().isEmpty() ? "persistent" : d.diskMode())
        + "</backing>"
        + Soap.element("controllerKey", Integer.toString(d.controllerKey()))
        + Soap.element("unitNumber", Integer.toString(d.unitNumber()))
        + Soap.element("capacityInKB", Long.toString(kib))
        + Soap.element("capacityInBytes", Long.toString(kib * 1024))
        + "</device></deviceChange>";
  }

  private static int intOf(String text) {
    String t = text.trim();
    return t.isEmpty() ? -1 : Integer.parseInt(t);
  }

  private static long longOf(String text) {
    String t = text.trim();
    return t.isEmpty() ? 0 : Long.parseLong(t);
  }
}
