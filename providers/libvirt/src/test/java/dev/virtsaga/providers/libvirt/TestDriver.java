package dev.virtsaga.providers.libvirt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A second, independent connection to {@code test:///default} for tests to look behind the
 * adapter's back. While it is open the test driver's state survives the adapter reconnecting.
 */
final class TestDriver implements AutoCloseable {
  static final String URI = "test:///default";
  final Connect connect;

  TestDriver() throws LibvirtException {
    LibvirtConnection.silenceLibvirtStderr();
    connect = new Connect(URI);
  }

  /** Domains whose metadata carries this vmId (a full scan, independent of the adapter). */
  List<Domain> domainsTaggedWith(String vmId) throws LibvirtException {
    List<Domain> found = new ArrayList<>();
    for (Domain d : connect.listAllDomains(0)) {
      if (tagOf(d).map(t -> t.vmId().equals(vmId)).orElse(false)) {
        found.add(d);
      }
    }
    return found;
  }

  static Optional<DomainXml.Tag> tagOf(Domain d) {
    try {
      return DomainXml.parseTag(d.getMetadata(Domain.MetadataType.ELEMENT, DomainXml.NAMESPACE, 0));
    } catch (LibvirtException e) {
      return Optional.empty();
    }
  }

  /** Defines a domain without our tag. */
  Domain defineUnmanaged(String name, String uuid) throws LibvirtException {
    return connect.domainDefineXML(
        "<domain type='test'><name>"
            + name
            + "</name>"
            + (uuid == null ? "" : "<uuid>" + uuid + "</uuid>")
            + "<memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>");
  }

  void undefine(String name) throws LibvirtException {
    Domain d = connect.domainLookupByName(name);
    if (d.isActive() == 1) {
      d.destroy();
    }
    d.undefine();
  }

  @Override
  public void close() throws LibvirtException {
    connect.close();
  }
}
