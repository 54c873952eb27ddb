package dev.virtsaga.providers.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyTest {
  @TempDir Path dir;

  /** A fake DNS so the test never leaves the machine. */
  private static final Map<String, String> DNS =
      Map.of(
          "images.example.com", "93.184.216.34",
          "internal.example.com", "10.1.2.3",
          "metadata.example.com", "169.254.169.254",
          "sneaky.example.com", "127.0.0.1");

  private static InetAddress[] resolve(String host) throws UnknownHostException {
    String ip = DNS.get(host);
    if (ip == null) {
      if (host.matches("[0-9.]+|.*:.*")) {
        return new InetAddress[] {InetAddress.getByName(host)}; // literal, no lookup
      }
      throw new UnknownHostException(host);
    }
    return new InetAddress[] {InetAddress.getByName(ip)};
  }

  private UrlPolicy policy() {
    return UrlPolicy.files(dir).withResolver(UrlPolicyTest::resolve);
  }

  private static void assertRefused(UrlPolicy policy, String url, String why) {
    assertThatThrownBy(() -> policy.check(url))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC))
        .hasMessageContaining(why);
  }

  @Test
  void aPublicHttpsHostIsAllowed() {
    assertThat(policy().check("https://images.example.com/disk.qcow2").getHost())
        .isEqualTo("images.example.com");
    assertThat(policy().check("http://93.184.216.34/x.img")).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1/x",
        "http://localhost.invalid.test/x",
        "http://[::1]/x",
        "http://10.0.0.1/x",
        "http://172.16.5.5/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/x",
        "http://[fd00::1]/x",
        "http://224.0.0.1/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",
        "http://[::ffff:127.0.0.1]/x",
        "https://internal.example.com/x",
        "https://metadata.example.com/x",
        "https://sneaky.example.com/x"
      })
  void nonPublicTargetsAreRefusedByDefault(String url) {
    assertThatThrownBy(() -> policy().check(url))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC))
        .hasMessageContaining("URL not allowed");
  }

  @Test
  void privateTargetsAreAllowedOnlyWhenExplicitlyAllowed() {
    // Given
    UrlPolicy byHost = policy().withAllowedHosts(Set.of("Internal.Example.com"));
    UrlPolicy everyPrivate = policy().withPrivateNetworks(true);

    // When / Then
    assertThat(byHost.check("https://internal.example.com/x")).isNotNull();
    assertRefused(byHost, "http://10.0.0.1/x", "non-public");
    assertThat(everyPrivate.check("http://10.0.0.1/x")).isNotNull();
  }

  @Test
  void otherSchemesCredentialsAndGarbageAreRefused() {
    assertRefused(policy(), "ftp://images.example.com/x", "scheme 'ftp'");
    assertRefused(policy(), "gopher://x/", "scheme");
    assertRefused(policy(), "https://user:pw@images.example.com/x", "credentials");
    assertRefused(policy(), "https://no-such-host.example.com/x", "does not resolve");
    assertRefused(policy(), "not a url", "not a valid URL");
    assertRefused(policy(), "/etc/passwd", "scheme ''");
  }

  @Test
  void filesAreAllowedOnlyUnderTheConfiguredDirectories() throws IOException {
    // Given
    Path inside = dir.resolve("sub/disk.qcow2");

    // When / Then
    assertThat(policy().checkFile(inside.toUri().toString())).isEqualTo(inside);
    assertRefused(policy(), "file:///etc/passwd", "only under");
    assertRefused(policy(), dir.toUri() + "../escape.img", "only under");
    assertRefused(policy(), dir.toUri().toString(), "only under"); // the root itself
    assertRefused(policy(), "file://somehost/tmp/x", "must not name a host");
    assertRefused(UrlPolicy.denyAll(), inside.toUri().toString(), "only under");
  }

  @Test
  void aSymlinkOutOfTheDirectoryIsRefused() throws IOException {
    // Given
    Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc"));

    // When / Then
    assertRefused(policy(), link.resolve("passwd").toUri().toString(), "only under");
  }

  @Test
  void checkFileRefusesNetworkUrls() {
    assertThatThrownBy(() -> policy().checkFile("https://images.example.com/x"))
        .hasMessageContaining("only file: URLs");
  }
}
