package dev.virtsaga.providers.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainTypesTest {

  private static CreateRequest request(int cpus, long memoryMiB, long diskGiB) {
    return new CreateRequest("vm-1", "op-1", "web", cpus, memoryMiB, diskGiB, null, null);
  }

  @Test
  void aCreateRequestWithPossibleSizesIsValid() {
    assertThatCode(() -> request(1, 64, 0).requireValid()).doesNotThrowAnyException();
    assertThat(request(1, 64, 0).labels()).isEmpty();
  }

  @Test
  void impossibleSizesAreInvalidSpecs() {
    for (CreateRequest bad :
        List.of(
            request(0, 64, 0),
            request(1, 0, 0),
            request(1, 64, -1),
            new CreateRequest(" ", "op", "web", 1, 64, 0, null, null),
            new CreateRequest("vm", "op", "", 1, 64, 0, null, null))) {
      assertThatThrownBy(bad::requireValid)
          .isInstanceOfSatisfying(
              ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC));
    }
  }

  @Test
  void aCreateRequestCopiesItsLabels() {
    // Given
    Map<String, String> labels = new HashMap<>(Map.of("a", "1"));
    CreateRequest r = new CreateRequest("vm", "op", "web", 1, 64, 0, null, labels);

    // When
    labels.put("b", "2");

    // Then
    assertThat(r.labels()).containsOnlyKeys("a");
  }

  @Test
  void anAbsentVmIsNotFound() {
    VmDescription d = VmDescription.absent("vm-1");
    assertThat(d.exists()).isFalse();
    assertThat(d.power()).isEqualTo(PowerState.NOT_FOUND);
    assertThat(d.ips()).isEmpty();
  }

  @Test
  void aDescriptionMustNotContradictItself() {
    assertThatThrownBy(
            () -> new VmDescription("vm", "ref", true, PowerState.NOT_FOUND, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new VmDescription("vm", null, false, PowerState.ON, null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aTaskStateHasAnErrorExactlyWhenItFailed() {
    assertThat(TaskState.succeeded("t").isComplete()).isTrue();
    assertThat(TaskState.running("t", 40).isComplete()).isFalse();
    assertThat(TaskState.failed("t", ProviderException.conflict("x")).isComplete()).isTrue();
    assertThatThrownBy(() -> new TaskState("t", TaskState.Phase.FAILED, null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TaskState("t", TaskState.Phase.RUNNING, 101, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPageWithoutTokenIsTheLast() {
    assertThat(new Page<>(List.of(1, 2), null).isLast()).isTrue();
    assertThat(new Page<>(List.of(1, 2), "2").next()).contains("2");
  }

  @Test
  void rateLimitsAndTimeoutsMustBePositive() {
    assertThatCode(() -> new RateLimit(0.5, 1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> new RateLimit(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimit(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateLimit(10, 0)).isInstanceOf(IllegalArgumentException.class);

    ProviderTimeouts d = ProviderTimeouts.defaults();
    assertThat(d.pollInterval()).isPositive();
    assertThatThrownBy(
            () -> new ProviderTimeouts(Duration.ZERO, d.actionComplete(), d.pollInterval(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
