package dev.virtsaga.providers.vsphere;

import dev.virtsaga.providers.spi.SnapshotInfo;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * A VM's snapshots from its {@code snapshot} property (a {@code VirtualMachineSnapshotInfo}), as a
 * flat list, oldest first. A snapshot's id is its MoRef value ({@code snapshot-42}).
 */
record SnapshotTree(List<Node> nodes) {

  /**
   * One snapshot.
   *
   * @param powerState the VM's {@code runtime.powerState} when it was taken ({@code poweredOn} when
   *     memory was captured)
   */
  record Node(ManagedObjectReference ref, SnapshotInfo info, String powerState) {}

  static SnapshotTree of(ObjectContent props) {
    List<Node> nodes = new ArrayList<>();
    Element info = props.values().get("snapshot");
    if (info != null) {
      for (Element root : Soap.children(info, "rootSnapshotList")) {
        walk(root, null, nodes);
      }
    }
    nodes.sort(
        Comparator.comparing((Node n) -> createdAt(n.info()))
            .thenComparing(n -> number(n.ref().value())));
    return new SnapshotTree(List.copyOf(nodes));
  }

  private static Instant createdAt(SnapshotInfo info) {
    return info.createdAt() == null ? Instant.EPOCH : info.createdAt();
  }

  /** {@code snapshot-12} → 12, so that ids sort by creation within one second. */
  private static long number(String value) {
    String digits = value.replaceAll("\\D", "");
    return digits.isEmpty() || digits.length() > 18 ? 0 : Long.parseLong(digits);
  }

  private static void walk(Element tree, String parentId, List<Node> into) {
    ManagedObjectReference ref = Soap.child(tree, "snapshot").map(Soap::toMoRef).orElse(null);
    if (ref == null) {
      return;
    }
    String description = Soap.childText(tree, "description");
    String state = Soap.childText(tree, "state").trim();
    into.add(
        new Node(
            ref,
            new SnapshotInfo(
                ref.value(),
                Soap.childText(tree, "name").trim(),
                description.isEmpty() ? null : description,
                time(Soap.childText(tree, "createTime")),
                VSphereProvider.powerState(state),
                parentId),
            state));
    for (Element child : Soap.children(tree, "childSnapshotList")) {
      walk(child, ref.value(), into);
    }
  }

  private static Instant time(String text) {
    try {
      return text.isBlank() ? null : OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  List<SnapshotInfo> infos() {
    return nodes.stream().map(Node::info).toList();
  }

  Optional<Node> byName(String name) {
    return nodes.stream().filter(n -> n.info().name().equals(name)).findFirst();
  }

  Optional<Node> byId(String snapshotId) {
    return nodes.stream().filter(n -> n.ref().value().equals(snapshotId)).findFirst();
  }
}
