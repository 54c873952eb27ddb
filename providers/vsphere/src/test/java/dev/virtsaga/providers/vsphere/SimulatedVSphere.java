package dev.virtsaga.providers.vsphere;

import dev.virtsaga.devstack.vcsim.Vcsim;
import dev.virtsaga.devstack.vcsim.VcsimInventory;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One vcsim, a {@link VSphereProvider} on it, and a second, plain {@link VimClient} that sees the
 * whole inventory (to count VMs and make unmanaged ones, the way an operator would).
 */
final class SimulatedVSphere implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  private final Vcsim vcsim;
  private final Vertx vertx;
  private final VimClient admin;
  private final VSphereProvider provider;

  SimulatedVSphere() {
    this(new Vcsim(VcsimInventory.defaults()));
  }

  /** On a vcsim configured by the caller, not yet started. */
  SimulatedVSphere(Vcsim notStarted) {
    vcsim = notStarted.start();
    vertx = Vertx.vertx();
    VimSettings vim =
        VimSettings.of(vcsim.sdkUrl(), vcsim.username(), vcsim.password())
            .withTls(VimSettings.Tls.insecureLoopback());
    provider = new VSphereProvider(vertx, VSphereSettings.of(vim, vcsim.templatePath()));
    admin = new VimClient(vertx, vim);
    admin.connect().await().atMost(WAIT);
  }

  VSphereProvider provider() {
    return provider;
  }

  String templatePath() {
    return vcsim.templatePath();
  }

  /** The names of every VM in the inventory (templates included), tagged or not. */
  List<String> allVmNames() {
    ServiceContent c = admin.serviceContent().orElseThrow();
    String inner =
        Soap.moRef("container", c.rootFolder())
            + Soap.element("type", "VirtualMachine")
            + "<recursive>true</recursive>";
    ManagedObjectReference view =
        Soap.toMoRef(
            Soap.child(
                    admin
                        .invoke("CreateContainerView", c.viewManager(), inner)
                        .await()
                        .atMost(WAIT),
                    "returnval")
                .orElseThrow());
    List<String> names = new ArrayList<>();
    for (ObjectContent vm :
        admin.retrieveFromView(view, "VirtualMachine", List.of("name")).await().atMost(WAIT)) {
      names.add(vm.text("name").orElse(""));
    }
    admin.invoke("DestroyView", view, "").await().atMost(WAIT);
    return names;
  }

  /** Properties the provider does not report (CPU, memory) of a VM by its MoRef value. */
  ObjectContent vmProperties(String moRef) {
    return admin
        .retrieveProperties(
            new ManagedObjectReference("VirtualMachine", moRef),
            List.of("config.hardware.numCPU", "config.hardware.memoryMB"))
        .await()
        .atMost(WAIT);
  }

  /** Kills vcsim and starts it again on the same port: every session and VM is gone. */
  void restartVcsim() {
    int port = vcsim.port();
    vcsim.kill();
    vcsim.start(port);
  }

  /** Ends the provider's session from the administrator's, as a timeout or a restart would. */
  void terminateProviderSession() {
    String key = provider.vim().sessionKey().orElseThrow();
    admin
        .invoke(
            "TerminateSession",
            admin.serviceContent().orElseThrow().sessionManager(),
            Soap.element("sessionId", key))
        .await()
        .atMost(WAIT);
  }

  /** A clone of the template in {@code /DC0/vm} without the vmId tag. */
  void createUnmanagedVm(String name) {
    ManagedObjectReference template = path(vcsim.templatePath()).orElseThrow();
    ManagedObjectReference folder = path("/DC0/vm").orElseThrow();
    ManagedObjectReference cluster = path("/DC0/host/DC0_C0").orElseThrow();
    ManagedObjectReference pool =
        Soap.toMoRef(
            admin
                .retrieveProperties(cluster, List.of("resourcePool"))
                .await()
                .atMost(WAIT)
                .values()
                .get("resourcePool"));
    admin
        .invoke(
            "CloneVM_Task",
            template,
            Soap.moRef("folder", folder)
                + Soap.element("name", name)
                + "<spec><location>"
                + Soap.moRef("pool", pool)
                + "</location><template>false</template><powerOn>false</powerOn></spec>")
        .await()
        .atMost(WAIT);
  }

  /** Destroys the VM {@code /DC0/vm/<name>} if it is there (vcsim runs tasks synchronously). */
  void deleteUnmanagedVm(String name) {
    path("/DC0/vm/" + name)
        .ifPresent(vm -> admin.invoke("Destroy_Task", vm, "").await().atMost(WAIT));
  }

  private Optional<ManagedObjectReference> path(String inventoryPath) {
    return admin.findByInventoryPath(inventoryPath).await().atMost(WAIT);
  }

  @Override
  public void close() {
    provider.close();
    admin.close();
    vcsim.stop();
    vertx.closeAndAwait();
  }
}
