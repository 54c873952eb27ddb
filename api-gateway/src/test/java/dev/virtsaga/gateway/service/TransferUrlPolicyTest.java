package dev.virtsaga.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.gateway.GatewayException;
import dev.virtsaga.gateway.TestConfig;
import dev.virtsaga.gateway.UrlNotAllowedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway's transfer allow-list with its default settings, without the network. */
class TransferUrlPolicyTest {
  TransferUrlPolicy policy = new TransferUrlPolicy(TestConfig.defaults());

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://127.0.0.1/x|non-public address 127.0.0.1",
        "http://169.254.169.254/latest/meta-data/|non-public address 169.254.169.254",
        "http://10.0.0.1/disk.qcow2|non-public address 10.0.0.1",
        "http://[::1]:8080/x|non-public address",
        "http://0.0.0.0/x|non-public address",
        "file:///etc/passwd|files are allowed only under [/var/lib/virtsaga/transfer]",
        "file:///var/lib/virtsaga/transfer/../../../../etc/passwd|files are allowed only under",
        "file:///var/lib/virtsaga/transfer|files are allowed only under",
        "ftp://example.com/x.qcow2|scheme 'ftp' is not allowed",
        "gopher://example.com/|scheme 'gopher' is not allowed",
        "http://user:secret@example.com/x|credentials",
        "file://host/var/lib/virtsaga/transfer/x|must not name a host",
        "not a url|not a valid URL"
      })
  void refusedUrlsNameTheRule(String url, String rule) {
    assertThatThrownBy(() -> policy.checkNow("url", url))
        .isInstanceOf(UrlNotAllowedException.class)
        .hasMessageContaining("URL not allowed")
        .hasMessageContaining(rule)
        .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(422))
        .satisfies(
            e -> assertThat(((GatewayException) e).errors().get(0).field()).isEqualTo("url"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///var/lib/virtsaga/transfer/web-1.qcow2",
        "file:///var/lib/virtsaga/transfer/sub/dir/../web-1.raw",
        "https://93.184.215.14/images/base.qcow2"
      })
  void allowedUrlsPassNormalised(String url) {
    assertThat(policy.checkNow("url", url))
        .doesNotContain("..")
        .startsWith(url.startsWith("file") ? "file:///var/lib/virtsaga/transfer/" : "https://");
  }

  @Test
  void aFileUrlKeepsItsThreeSlashes() {
    assertThat(policy.checkNow("url", "file:///var/lib/virtsaga/transfer/a/../b.qcow2"))
        .isEqualTo("file:///var/lib/virtsaga/transfer/b.qcow2");
  }
}
