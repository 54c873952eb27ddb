package dev.virtsaga.worker.virtfusion.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.providers.spi.RateLimit;
import dev.virtsaga.providers.virtfusion.VirtFusionSettings;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The adapter's settings built from {@code virtsaga.virtfusion.*}. */
class VirtFusionBeansTest {

  private record Defaults(
      Optional<String> tenant,
      Optional<Long> packageId,
      Optional<String> hypervisorGroup,
      Optional<String> template)
      implements VirtFusionConfig.Defaults {}

  private record Limit(double qps, int burst) implements VirtFusionConfig.RateLimit {}

  private record Timeouts(
      Duration instanceReady, Duration actionComplete, Duration pollInterval, Duration httpRequest)
      implements VirtFusionConfig.Timeouts {}

  private record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff)
      implements VirtFusionConfig.Retry {}

  private record Watch(Duration fastInterval, Duration slowInterval)
      implements VirtFusionConfig.Watch {}

  private record Config(
      String baseUrl,
      String token,
      VirtFusionConfig.Defaults defaults,
      VirtFusionConfig.RateLimit rateLimit,
      VirtFusionConfig.Timeouts timeouts,
      VirtFusionConfig.Retry retry,
      VirtFusionConfig.Watch watch,
      Duration cacheTtl)
      implements VirtFusionConfig {}

  private static Config config(String baseUrl, String token, double qps) {
    return new Config(
        baseUrl,
        token,
        new Defaults(Optional.of("42"), Optional.of(3L), Optional.of("Prague"), Optional.empty()),
        new Limit(qps, 4),
        new Timeouts(
            Duration.ofMinutes(9),
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofSeconds(20)),
        new Retry(4, Duration.ofMillis(100), Duration.ofSeconds(5)),
        new Watch(Duration.ofSeconds(3), Duration.ofSeconds(40)),
        Duration.ofMinutes(7));
  }

  @Test
  void everySettingIsCarriedOverAndTheTokenIsNeverShown() {
    // When
    VirtFusionSettings s =
        VirtFusionBeans.settings(config("https://cp.example.com/api/v1/", "s3cr3t-token", 2.5));

    // Then
    assertThat(s.baseUrl()).isEqualTo("https://cp.example.com/api/v1");
    assertThat(s.token()).isEqualTo("s3cr3t-token");
    assertThat(s.defaults()).isEqualTo(new VirtFusionSettings.Defaults("42", 3L, "Prague", null));
    assertThat(s.rateLimit()).isEqualTo(new RateLimit(2.5, 4));
    assertThat(s.timeouts().instanceReady()).isEqualTo(Duration.ofMinutes(9));
    assertThat(s.timeouts().httpRequest()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.retry().maxAttempts()).isEqualTo(4);
    assertThat(s.watch().slowInterval()).isEqualTo(Duration.ofSeconds(40));
    assertThat(s.cacheTtl()).isEqualTo(Duration.ofMinutes(7));
    assertThat(s.toString()).doesNotContain("s3cr3t-token").contains("<redacted>");
  }

  @Test
  void impossibleSettingsStopTheStart() {
    assertThatThrownBy(() -> VirtFusionBeans.settings(config("ftp://x/api/v1", "t", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VirtFusionBeans.settings(config("https://x/api/v1", " ", 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VirtFusionBeans.settings(config("https://x/api/v1", "t", 0)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
