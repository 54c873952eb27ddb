package dev.virtsaga.worker.vsphere;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts devstack's vcsim (its default inventory: {@code DC0}, cluster {@code DC0_C0} of hosts
 * {@code DC0_C0_H0..2}, datastore {@code LocalDS_0}, template {@code /DC0/vm/template-small}) as a
 * child process of the test JVM and points {@code virtsaga.vsphere.*} at it.
 */
public class VcsimResource implements QuarkusTestResourceLifecycleManager {
  /** vcsim's default names of the hosts in {@code DC0_C0}. */
  static final String HOSTS = "DC0_C0_H0,DC0_C0_H1,DC0_C0_H2";

  private Vcsim vcsim;

  @Override
  public Map<String, String> start() {
    vcsim = new Vcsim(VcsimInventory.defaults()).start();
    return Map.ofEntries(
        Map.entry("virtsaga.vsphere.sdk-url", vcsim.sdkUrl().toString()),
        Map.entry("virtsaga.vsphere.username", vcsim.username()),
        Map.entry("virtsaga.vsphere.password", vcsim.password()),
        // vcsim's certificate is self-signed; it listens on 127.0.0.1 only
        Map.entry("virtsaga.vsphere.tls.insecure-loopback", "true"),
        Map.entry("virtsaga.vsphere.datacenter", "DC0"),
        Map.entry("virtsaga.vsphere.cluster", "DC0_C0"),
        Map.entry("virtsaga.vsphere.datastore", "LocalDS_0"),
        Map.entry("virtsaga.vsphere.default-template", vcsim.templatePath()),
        Map.entry("virtsaga.vsphere.hosts", HOSTS));
  }

  @Override
  public void stop() {
    if (vcsim != null) {
      vcsim.stop();
    }
  }
}
