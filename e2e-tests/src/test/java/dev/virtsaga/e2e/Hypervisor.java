package dev.virtsaga.e2e;

import dev.virtsaga.providers.libvirt.LibvirtProvider;
import dev.virtsaga.providers.spi.Page;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.VmDescription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The test's own view of the libvirt host the worker uses. Its connection stays open for the whole
 * test JVM, which also keeps the daemon's test-driver state alive while the worker restarts.
 */
final class Hypervisor {
  private static final java.util.Map<String, LibvirtProvider> PROVIDERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Hypervisor() {}

  private static LibvirtProvider provider() {
    return provider(Stack.LIBVIRT_URI);
  }

  private static LibvirtProvider provider(String uri) {
    return PROVIDERS.computeIfAbsent(uri, u -> new LibvirtProvider(u, Runnable::run));
  }

  /** How many domains on the host at {@code uri} carry this vmId. */
  static long domainsOn(String uri, String vmId) {
    return provider(uri).list(null, 1000).await().atMost(Duration.ofSeconds(30)).items().stream()
        .filter(d -> d.vmId().equals(vmId))
        .count();
  }

  /** Every managed domain on the host. */
  static List<VmDescription> managed() {
    List<VmDescription> all = new ArrayList<>();
    String token = null;
    do {
      Page<VmDescription> page = provider().list(token, 500).await().atMost(Duration.ofSeconds(30));
      all.addAll(page.items());
      token = page.nextPageToken();
    } while (token != null);
    return all;
  }

  /** How many domains carry this vmId. */
  static long domainsOf(String vmId) {
    return managed().stream().filter(d -> d.vmId().equals(vmId)).count();
  }

  /** The power state of the VM's domain; NOT_FOUND when there is none. */
  static PowerState power(String vmId) {
    return managed().stream()
        .filter(d -> d.vmId().equals(vmId))
        .map(VmDescription::power)
        .findFirst()
        .orElse(PowerState.NOT_FOUND);
  }
}
