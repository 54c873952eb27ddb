package dev.virtsaga.providers.libvirt;

import dev.virtsaga.providers.spi.CreateRequest;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The libvirt XML this adapter writes and reads: domain definitions, our metadata tag, storage
 * volumes.
 *
 * <p>A managed domain carries {@code <vs:vm xmlns:vs="https://virtsaga.dev/libvirt/1" id="<vmId>"
 * operation="<operationId>"/>} in its {@code <metadata>}, and its UUID is derived from the vmId
 * ({@link #uuidOf}): a repeated create looks the domain up by that UUID (one cheap call, no scan)
 * and checks the tag before trusting it.
 */
public final class DomainXml {
  /** Namespace of our metadata element. */
  public static final String NAMESPACE = "https://virtsaga.dev/libvirt/1";

  private static final String PREFIX = "vs";
  private static final String TAG = "vm";
  private static final int MAX_NAME_PREFIX = 40;

  /**
   * What our metadata element records.
   *
   * @param vmId VirtSaga's id of the VM
   * @param operationId the operation that created it
   */
  public record Tag(String vmId, String operationId) {}

  private DomainXml() {}

  /** The UUID of the domain of a vmId: a name-based (v3) UUID, the same on every attempt. */
  public static UUID uuidOf(String vmId) {
    return UUID.nameUUIDFromBytes(("virtsaga:vm:" + vmId).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The domain name: the spec's name made safe for libvirt plus a short id from the vmId, so two
   * VMs with the same display name never collide.
   */
  public static String domainName(String name, String vmId) {
    String safe = name.replaceAll("[^A-Za-z0-9_.-]", "-").replaceAll("^[-.]+", "");
    if (safe.length() > MAX_NAME_PREFIX) {
      safe = safe.substring(0, MAX_NAME_PREFIX);
    }
    if (safe.isEmpty()) {
      safe = "vm";
    }
    String shortId = uuidOf(vmId).toString().replace("-", "").substring(0, 12);
    return safe + "-" + shortId;
  }

  /** The name of the root-disk volume of a vmId in the adapter's storage pool. */
  public static String volumeName(String vmId) {
    return "virtsaga-" + uuidOf(vmId) + ".qcow2";
  }

  /** Our metadata element for a VM. */
  public static String tag(String vmId, String operationId) {
    return "<"
        + PREFIX
        + ":"
        + TAG
        + " xmlns:"
        + PREFIX
        + "='"
        + NAMESPACE
        + "' id='"
        + escape(vmId)
        + "'"
        + (operationId == null ? "" : " operation='" + escape(operationId) + "'")
        + "/>";
  }

  /**
   * The domain definition of a create request.
   *
   * @param rootVolume the root disk's volume in {@code pool}, or {@code null} for no disk
   */
  public static String domain(
      CreateRequest request, DriverKind driver, String pool, String rootVolume) {
    StringBuilder xml = new StringBuilder(512);
    xml.append("<domain type='").append(driver.domainType()).append("'>\n");
    xml.append("  <name>").append(domainName(request.name(), request.vmId())).append("</name>\n");
    xml.append("  <uuid>").append(uuidOf(request.vmId())).append("</uuid>\n");
    xml.append("  <title>").append(escape(request.name())).append("</title>\n");
    xml.append("  <memory unit='MiB'>").append(request.memoryMiB()).append("</memory>\n");
    xml.append("  <vcpu>").append(request.cpus()).append("</vcpu>\n");
    if (driver == DriverKind.QEMU) {
      xml.append("  <os><type>hvm</type><boot dev='hd'/></os>\n");
      xml.append("  <features><acpi/><apic/></features>\n");
      xml.append("  <on_poweroff>destroy</on_poweroff>\n");
      xml.append("  <on_reboot>restart</on_reboot>\n");
      xml.append("  <on_crash>destroy</on_crash>\n");
      xml.append("  <devices>\n");
      if (rootVolume != null) {
        xml.append("    <disk type='volume' device='disk'>")
            .append("<driver name='qemu' type='qcow2'/>")
            .append("<source pool='")
            .append(escape(pool))
            .append("' volume='")
            .append(escape(rootVolume))
            .append("'/><target dev='vda' bus='virtio'/></disk>\n");
      }
      xml.append("    <serial type='pty'/>\n");
      xml.append("    <console type='pty'/>\n");
      xml.append("    <graphics type='vnc' autoport='yes' listen='127.0.0.1'/>\n");
      xml.append("  </devices>\n");
    } else {
      xml.append("  <os><type>hvm</type></os>\n");
    }
    xml.append("  <metadata>").append(tag(request.vmId(), request.operationId()));
    xml.append("</metadata>\n");
    xml.append("</domain>\n");
    return xml.toString();
  }

  /**
   * A qcow2 volume of {@code gib} GiB.
   *
   * @param backingImage absolute path of a qcow2 base image the volume is layered on, or {@code
   *     null} for an empty disk
   */
  public static String volume(String name, long gib, String backingImage) {
    return volumeOfBytes(name, gib << 30, backingImage);
  }

  /**
   * A qcow2 volume of {@code bytes} bytes.
   *
   * @param backingImage as in {@link #volume(String, long, String)}
   */
  public static String volumeOfBytes(String name, long bytes, String backingImage) {
    return "<volume><name>"
        + escape(name)
        + "</name><capacity unit='bytes'>"
        + bytes
        + "</capacity><target><format type='qcow2'/></target>"
        + (backingImage == null
            ? ""
            : "<backingStore><path>"
                + escape(backingImage)
                + "</path><format type='qcow2'/></backingStore>")
        + "</volume>";
  }

  /** A directory storage pool. */
  public static String dirPool(String name, String path) {
    return "<pool type='dir'><name>"
        + escape(name)
        + "</name><target><path>"
        + escape(path)
        + "</path></target></pool>";
  }

  /**
   * Reads our tag from the metadata element libvirt returns for {@link #NAMESPACE}.
   *
   * @return empty when the XML is not our tag or has no vmId
   */
  public static Optional<Tag> parseTag(String metadataXml) {
    Element root = parse(metadataXml);
    if (root == null || !TAG.equals(localName(root))) {
      return Optional.empty();
    }
    String vmId = root.getAttribute("id");
    if (vmId.isBlank()) {
      return Optional.empty();
    }
    String op = root.getAttribute("operation");
    return Optional.of(new Tag(vmId, op.isBlank() ? null : op));
  }

  /** The VNC port of a running domain's XML, when it has one. */
  public static Optional<Integer> vncPort(String domainXml) {
    Element root = parse(domainXml);
    if (root == null) {
      return Optional.empty();
    }
    NodeList graphics = root.getElementsByTagName("graphics");
    for (int i = 0; i < graphics.getLength(); i++) {
      Element g = (Element) graphics.item(i);
      if ("vnc".equals(g.getAttribute("type"))) {
        try {
          int port = Integer.parseInt(g.getAttribute("port"));
          return port > 0 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    return Optional.empty();
  }

  /** The root disk's id in {@link dev.virtsaga.providers.spi.DiskInfo#diskId()}. */
  public static final String ROOT_DISK = "root";

  /** The volume of one of a VM's disks: the root volume for {@link #ROOT_DISK}. */
  public static String volumeName(String vmId, String diskId) {
    return ROOT_DISK.equals(diskId)
        ? volumeName(vmId)
        : "virtsaga-" + uuidOf(vmId) + "-" + diskId + ".qcow2";
  }

  /** The disk id of one of a VM's volumes, when the volume is one of ours for that VM. */
  public static Optional<String> diskIdOf(String vmId, String volume) {
    if (volume == null) {
      return Optional.empty();
    }
    if (volume.equals(volumeName(vmId))) {
      return Optional.of(ROOT_DISK);
    }
    String prefix = "virtsaga-" + uuidOf(vmId) + "-";
    if (volume.startsWith(prefix) && volume.endsWith(".qcow2")) {
      return Optional.of(volume.substring(prefix.length(), volume.length() - ".qcow2".length()));
    }
    return Optional.empty();
  }

  /** Whether a volume belongs to a VM (its root disk or one added by reconfigure). */
  public static boolean isVolumeOf(String vmId, String volume) {
    return volume.startsWith("virtsaga-" + uuidOf(vmId));
  }

  /** The name of an imported disk's volume. */
  public static String importVolumeName(String name) {
    return "virtsaga-import-" + name + ".qcow2";
  }

  /**
   * One {@code <disk device='disk'>} of a domain.
   *
   * @param pool the storage pool ({@code type='volume'}), else {@code null}
   * @param volume the volume in that pool, else {@code null}
   * @param file the file ({@code type='file'}), else {@code null}
   * @param target the guest device ({@code vda}, …)
   * @param format the driver's image format ({@code qcow2}, …), or {@code null}
   */
  public record DiskRef(String pool, String volume, String file, String target, String format) {}

  /** The disks of a domain definition, in document order. */
  public static List<DiskRef> disks(String domainXml) {
    Element root = parse(domainXml);
    List<DiskRef> disks = new ArrayList<>();
    if (root == null) {
      return disks;
    }
    NodeList list = root.getElementsByTagName("disk");
    for (int i = 0; i < list.getLength(); i++) {
      Element disk = (Element) list.item(i);
      if (!"disk".equals(disk.getAttribute("device")) && !disk.getAttribute("device").isEmpty()) {
        continue;
      }
      Element source = child(disk, "source");
      Element target = child(disk, "target");
      Element drv = child(disk, "driver");
      disks.add(
          new DiskRef(
              attr(source, "pool"),
              attr(source, "volume"),
              attr(source, "file"),
              attr(target, "dev"),
              attr(drv, "type")));
    }
    return disks;
  }

  /** A qcow2 volume disk for {@code attachDeviceFlags}. */
  public static String volumeDisk(String pool, String volume, String target) {
    return "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='"
        + escape(pool)
        + "' volume='"
        + escape(volume)
        + "'/><target dev='"
        + escape(target)
        + "' bus='virtio'/></disk>";
  }

  /** The first {@code vdX} target not used by any of the domains' disks. */
  public static String freeTarget(List<DiskRef> used) {
    for (char c = 'a'; c <= 'z'; c++) {
      String dev = "vd" + c;
      if (used.stream().noneMatch(d -> dev.equals(d.target()))) {
        return dev;
      }
    }
    throw new IllegalStateException("no free virtio disk target");
  }

  /**
   * CPUs and memory of a domain definition.
   *
   * @param cpus {@code <vcpu>}
   * @param memoryKiB {@code <memory>} in KiB
   */
  public record Sizes(int cpus, long memoryKiB) {
    public long memoryMiB() {
      return memoryKiB / 1024;
    }
  }

  /** The sizes of a domain definition. */
  public static Sizes sizes(String domainXml) {
    Element root = parse(domainXml);
    if (root == null) {
      throw new IllegalArgumentException("not a domain definition");
    }
    return sizesOf(root);
  }

  /** The sizes of the domain definition stored in a snapshot. */
  public static Sizes snapshotSizes(String snapshotXml) {
    Element root = parse(snapshotXml);
    Element domain = root == null ? null : child(root, "domain");
    if (domain == null) {
      throw new IllegalArgumentException("the snapshot has no domain definition");
    }
    return sizesOf(domain);
  }

  private static Sizes sizesOf(Element domain) {
    Element vcpu = child(domain, "vcpu");
    Element memory = child(domain, "memory");
    if (vcpu == null || memory == null) {
      throw new IllegalArgumentException("a domain definition without vcpu or memory");
    }
    return new Sizes(
        Integer.parseInt(vcpu.getTextContent().trim()),
        toKiB(Long.parseLong(memory.getTextContent().trim()), memory.getAttribute("unit")));
  }

  private static long toKiB(long value, String unit) {
    return switch (unit == null || unit.isEmpty() ? "KiB" : unit) {
      case "b", "bytes" -> value / 1024;
      case "KB" -> value * 1000 / 1024;
      case "k", "KiB" -> value;
      case "MB" -> value * 1_000_000 / 1024;
      case "M", "MiB" -> value * 1024;
      case "GB" -> value * 1_000_000_000 / 1024;
      case "G", "GiB" -> value * 1024 * 1024;
      default -> throw new IllegalArgumentException("unknown memory unit " + unit);
    };
  }

  /** The definition with other CPUs and memory (current memory follows memory). */
  public static String withSizes(String domainXml, Sizes sizes) {
    return domainXml
        .replaceFirst("<vcpu(\\s[^>]*)?>\\s*\\d+\\s*</vcpu>", "<vcpu>" + sizes.cpus() + "</vcpu>")
        .replaceFirst(
            "<memory(\\s[^>]*)?>\\s*\\d+\\s*</memory>",
            "<memory unit='KiB'>" + sizes.memoryKiB() + "</memory>")
        .replaceFirst(
            "<currentMemory(\\s[^>]*)?>\\s*\\d+\\s*</currentMemory>",
            "<currentMemory unit='KiB'>" + sizes.memoryKiB() + "</currentMemory>");
  }

  /** A snapshot definition. */
  public static String snapshot(String name, String description) {
    return "<domainsnapshot><name>"
        + escape(name)
        + "</name>"
        + (description == null ? "" : "<description>" + escape(description) + "</description>")
        + "</domainsnapshot>";
  }

  /**
   * What a snapshot's XML says.
   *
   * @param state libvirt's state of the domain in the snapshot ({@code running}, {@code shutoff},
   *     …)
   * @param creationTime seconds since the epoch, or 0
   */
  public record SnapshotXml(
      String name, String description, long creationTime, String state, String parent) {}

  public static SnapshotXml parseSnapshot(String snapshotXml) {
    Element root = parse(snapshotXml);
    if (root == null) {
      throw new IllegalArgumentException("not a snapshot definition");
    }
    Element parent = child(root, "parent");
    String time = text(child(root, "creationTime"));
    return new SnapshotXml(
        text(child(root, "name")),
        text(child(root, "description")),
        time == null ? 0 : Long.parseLong(time.trim()),
        text(child(root, "state")),
        parent == null ? null : text(child(parent, "name")));
  }

  /** The directory of a dir storage pool's definition. */
  public static Optional<String> poolPath(String poolXml) {
    Element root = parse(poolXml);
    Element target = root == null ? null : child(root, "target");
    return Optional.ofNullable(text(target == null ? null : child(target, "path")));
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(localName(e))) {
        return e;
      }
    }
    return null;
  }

  private static String attr(Element e, String name) {
    if (e == null || !e.hasAttribute(name)) {
      return null;
    }
    return e.getAttribute(name);
  }

  private static String text(Element e) {
    return e == null ? null : e.getTextContent();
  }

  private static String localName(Element e) {
    String n = e.getLocalName() != null ? e.getLocalName() : e.getTagName();
    int colon = n.indexOf(':');
    return colon < 0 ? n : n.substring(colon + 1);
  }

  private static Element parse(String xml) {
    if (xml == null || xml.isBlank()) {
      return null;
    }
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      DocumentBuilder builder = f.newDocumentBuilder();
      builder.setErrorHandler(new DefaultHandler()); // fail quietly, no "[Fatal Error]" on stderr
      return builder.parse(new InputSource(new StringReader(xml))).getDocumentElement();
    } catch (ParserConfigurationException | SAXException | IOException e) {
      return null;
    }
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\'' -> out.append("&apos;");
        case '"' -> out.append("&quot;");
        default -> {
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            out.append(' ');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
