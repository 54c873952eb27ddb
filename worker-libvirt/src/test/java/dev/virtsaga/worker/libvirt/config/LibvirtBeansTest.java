package dev.virtsaga.worker.libvirt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.providers.spi.UrlPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The URL policy the worker builds from {@code virtsaga.libvirt.transfer.*}. */
class LibvirtBeansTest {

  private record Transfer(
      List<String> fileRoots, Optional<List<String>> allowedHosts, boolean allowPrivateNetworks)
      implements LibvirtConfig.Transfer {}

  private static ErrorType refusal(UrlPolicy policy, String url) {
    try {
      policy.check(url);
    } catch (ProviderException e) {
      return e.type();
    }
    return null;
  }

  @Test
  void byDefaultOnlyTheTransferDirectoryAndPublicHostsAreAllowed() {
    // Given
    UrlPolicy policy =
        LibvirtBeans.urlPolicy(
            new Transfer(List.of("/var/lib/virtsaga/transfer"), Optional.empty(), false));

    // Then
    assertThat(policy.fileRoots()).containsExactly(Path.of("/var/lib/virtsaga/transfer"));
    assertThat(refusal(policy, "file:///var/lib/virtsaga/transfer/a.qcow2")).isNull();
    assertThat(refusal(policy, "file:///etc/passwd")).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(refusal(policy, "http://127.0.0.1/a.qcow2")).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(refusal(policy, "http://10.0.0.5/a.qcow2")).isEqualTo(ErrorType.INVALID_SPEC);
  }

  @Test
  void namedHostsAndPrivateNetworksCanBeAllowed() {
    // Given
    UrlPolicy hosts =
        LibvirtBeans.urlPolicy(
            new Transfer(List.of("/srv/a", "/srv/b"), Optional.of(List.of("10.0.0.5")), false));
    UrlPolicy privateNets =
        LibvirtBeans.urlPolicy(new Transfer(List.of("/srv/a"), Optional.empty(), true));

    // Then
    assertThat(hosts.fileRoots()).containsExactly(Path.of("/srv/a"), Path.of("/srv/b"));
    assertThat(refusal(hosts, "http://10.0.0.5/a.qcow2")).isNull();
    assertThat(refusal(hosts, "http://10.0.0.6/a.qcow2")).isEqualTo(ErrorType.INVALID_SPEC);
    assertThat(refusal(privateNets, "http://10.0.0.6/a.qcow2")).isNull();
    assertThatThrownBy(() -> privateNets.check("ftp://10.0.0.6/a"))
        .isInstanceOf(ProviderException.class);
  }
}
