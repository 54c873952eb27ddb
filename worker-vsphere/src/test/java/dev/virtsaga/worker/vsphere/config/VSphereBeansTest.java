package dev.virtsaga.worker.vsphere.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.Provider;
import dev.virtsaga.providers.vsphere.VSphereSettings;
import dev.virtsaga.worker.core.service.ProviderHosts;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The adapter's settings and hosts built from {@code virtsaga.vsphere.*}. */
class VSphereBeansTest {
  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

  @TempDir Path dir;

  private record Tls(
      boolean insecureLoopback,
      Optional<String> pinnedCertificate,
      Optional<Path> pinnedCertificateFile)
      implements VSphereConfig.Tls {}

  private record Timeouts(
      Duration instanceReady, Duration actionComplete, Duration pollInterval, Duration httpRequest)
      implements VSphereConfig.Timeouts {}

  private record Config(
      URI sdkUrl,
      String username,
      String password,
      VSphereConfig.Tls tls,
      String datacenter,
      String cluster,
      String datastore,
      String vmFolder,
      Optional<String> defaultTemplate,
      Optional<List<String>> hosts,
      VSphereConfig.Timeouts timeouts,
      Duration keepAliveInterval)
      implements VSphereConfig {}

  private static Config config(String sdkUrl, Tls tls) {
    return new Config(
        URI.create(sdkUrl),
        "virtsaga@vsphere.local",
        "s3cr3t-password",
        tls,
        "Prague",
        "Compute",
        "vsanDatastore",
        "vm/virtsaga",
        Optional.of("ubuntu-22.04"),
        Optional.empty(),
        new Timeouts(
            Duration.ofMinutes(9),
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(20)),
        Duration.ofMinutes(7));
  }

  private static Tls verified() {
    return new Tls(false, Optional.empty(), Optional.empty());
  }

  /** A provider that only has a name (hosts never call it). */
  private static Provider named(String name) {
    return (Provider)
        Proxy.newProxyInstance(
            Provider.class.getClassLoader(),
            new Class<?>[] {Provider.class},
            (proxy, method, args) -> {
              if (method.getName().equals("name")) {
                return name;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }

  @Test
  void everySettingIsCarriedOverAndThePasswordIsNeverShown() {
    // When
    VSphereSettings s =
        VSphereBeans.settings(config("https://vcenter.example.com/sdk", verified()));

    // Then
    assertThat(s.vim().sdkUrl()).isEqualTo(URI.create("https://vcenter.example.com/sdk"));
    assertThat(s.vim().username()).isEqualTo("virtsaga@vsphere.local");
    assertThat(s.vim().password()).isEqualTo("s3cr3t-password");
    assertThat(s.vim().requestTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.vim().keepAliveInterval()).isEqualTo(Duration.ofMinutes(7));
    assertThat(s.vim().tls().insecure()).isFalse();
    assertThat(s.vim().tls().trustedCertificatePem()).isNull();
    assertThat(s.datacenter()).isEqualTo("Prague");
    assertThat(s.cluster()).isEqualTo("Compute");
    assertThat(s.datastore()).isEqualTo("vsanDatastore");
    assertThat(s.vmFolder()).isEqualTo("vm/virtsaga");
    assertThat(s.defaultTemplate()).isEqualTo("ubuntu-22.04");
    assertThat(s.timeouts().instanceReady()).isEqualTo(Duration.ofMinutes(9));
    assertThat(s.timeouts().actionComplete()).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.timeouts().pollInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.vim().toString()).doesNotContain("s3cr3t-password");
  }

  @Test
  void aPinnedCertificateComesFromTheSettingOrAFile() throws Exception {
    // Given
    Path file = Files.writeString(dir.resolve("vcenter.pem"), PEM);

    // Then
    assertThat(
            VSphereBeans.tls(new Tls(false, Optional.of(PEM), Optional.empty()))
                .trustedCertificatePem())
        .isEqualTo(PEM);
    assertThat(
            VSphereBeans.tls(new Tls(false, Optional.empty(), Optional.of(file)))
                .trustedCertificatePem())
        .isEqualTo(PEM);
    assertThat(
            VSphereBeans.settings(
                    config(
                        "https://127.0.0.1:18989/sdk",
                        new Tls(true, Optional.empty(), Optional.empty())))
                .vim()
                .tls()
                .insecure())
        .isTrue();
  }

  @Test
  void impossibleSettingsStopTheStart() {
    // insecure TLS for a real vCenter
    assertThatThrownBy(
            () ->
                VSphereBeans.settings(
                    config(
                        "https://vcenter.example.com/sdk",
                        new Tls(true, Optional.empty(), Optional.empty()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
    // two ways of checking the certificate
    assertThatThrownBy(() -> VSphereBeans.tls(new Tls(true, Optional.of(PEM), Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class);
    // a pinned certificate that is none
    assertThatThrownBy(
            () -> VSphereBeans.tls(new Tls(false, Optional.of("not a pem"), Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class);
    // not a SOAP endpoint
    assertThatThrownBy(() -> VSphereBeans.settings(config("ftp://vcenter/sdk", verified())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theConfiguredHostsAllRunOnTheOneProviderAndNoneMeansTheDefaultHost() {
    // Given
    Provider provider = named("vsphere");

    // When
    ProviderHosts hosts =
        VSphereBeans.hosts(provider, Optional.of(List.of("DC0_C0_H0", " DC0_C0_H1", "DC0_C0_H2")));

    // Then
    assertThat(hosts.names()).containsExactly("DC0_C0_H0", "DC0_C0_H1", "DC0_C0_H2");
    assertThat(hosts.defaultName()).isEqualTo("DC0_C0_H0");
    assertThat(hosts.host("DC0_C0_H1").address()).isEqualTo("DC0_C0_H1");
    assertThat(hosts.names()).allSatisfy(n -> assertThat(hosts.provider(n)).isSameAs(provider));
    assertThat(VSphereBeans.hosts(provider, Optional.empty()).names())
        .containsExactly(ProviderHosts.DEFAULT);
    assertThatThrownBy(
            () -> VSphereBeans.hosts(provider, Optional.of(List.of("DC0_C0_H0", "DC0_C0_H0"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> VSphereBeans.hosts(provider, Optional.of(List.of("/DC0/host/DC0_C0/H0"))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
