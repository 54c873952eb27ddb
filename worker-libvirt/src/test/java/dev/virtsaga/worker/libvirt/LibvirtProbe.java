package dev.virtsaga.worker.libvirt;

import dev.virtsaga.providers.libvirt.DomainXml;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;

/**
 * The test's own connection to {@code test:///default}: the worker runs in this JVM, so both see
 * the same test-driver state. Finds domains by their vmId metadata with a full scan, independently
 * of the adapter.
 */
final class LibvirtProbe implements AutoCloseable {
  private final Connect connect;

  LibvirtProbe(String uri) throws LibvirtException {
    connect = new Connect(uri);
  }

  /** The states of the domains tagged with this vmId (one entry per domain). */
  synchronized List<DomainState> domainsOf(String vmId) {
    try {
      List<DomainState> states = new ArrayList<>();
      for (Domain d : connect.listAllDomains(0)) {
        String tagged;
        try {
          tagged = d.getMetadata(Domain.MetadataType.ELEMENT, DomainXml.NAMESPACE, 0);
        } catch (LibvirtException e) {
          continue; // untagged, or undefined meanwhile
        }
        if (DomainXml.parseTag(tagged).map(t -> t.vmId().equals(vmId)).orElse(false)) {
          states.add(d.getInfo().state);
        }
      }
      return states;
    } catch (LibvirtException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() throws LibvirtException {
    connect.close();
  }
}
