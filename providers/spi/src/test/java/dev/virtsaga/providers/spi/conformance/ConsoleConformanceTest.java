package dev.virtsaga.providers.spi.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.providers.spi.Capability;
import dev.virtsaga.providers.spi.Console;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@link Capability#CONSOLE}: the console URL of a running VM. */
public abstract class ConsoleConformanceTest extends CapabilityConformanceTest {

  @Override
  protected final Capability capability() {
    return Capability.CONSOLE;
  }

  @Test
  void aRunningVmHasAConsoleUrlWithSchemeHostAndPort() {
    // Given
    String vmId = newVm("conf-console");
    call(provider.power(vmId, null, PowerOp.ON));

    // When
    String url = call(as(Console.class).consoleUrl(vmId, null));

    // Then
    URI uri = URI.create(url);
    assertThat(uri.getScheme()).isNotBlank();
    assertThat(uri.getHost()).isNotBlank();
    assertThat(uri.getPort()).isPositive();
    assertThat(call(as(Console.class).consoleUrl(vmId, null))).isEqualTo(url);
  }

  @Test
  void aStoppedVmHasNoConsole() {
    // Given
    String vmId = newVm("conf-console-off");

    // When / Then
    assertThat(errorOf(as(Console.class).consoleUrl(vmId, null))).isEqualTo(ErrorType.CONFLICT);
  }

  @Test
  void theConsoleOfAnUnknownVmIsNotFound() {
    assertThat(errorOf(as(Console.class).consoleUrl(UUID.randomUUID().toString(), null)))
        .isEqualTo(ErrorType.NOT_FOUND);
  }
}
