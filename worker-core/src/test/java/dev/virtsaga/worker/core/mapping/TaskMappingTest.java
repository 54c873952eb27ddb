package dev.virtsaga.worker.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.providers.spi.ErrorType;
import dev.virtsaga.providers.spi.PowerOp;
import dev.virtsaga.providers.spi.PowerState;
import dev.virtsaga.providers.spi.ProviderException;
import dev.virtsaga.worker.core.service.Tasks;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TaskMappingTest {

  @Test
  void theWireAndTheSpiShareTheErrorTaxonomyAndItsRetryability() {
    assertThat(Arrays.stream(ErrorType.values()).map(Enum::name))
        .containsExactlyElementsOf(
            Arrays.stream(dev.virtsaga.events.model.ErrorType.values()).map(Enum::name).toList());
    for (ErrorType t : ErrorType.values()) {
      assertThat(TaskMapping.toWire(t).isRetryable()).as("%s", t).isEqualTo(t.isRetryable());
    }
  }

  @Test
  void everySpiPowerStateHasAWireOne() {
    for (PowerState p : PowerState.values()) {
      assertThat(TaskMapping.toWire(p).name()).isEqualTo(p.name());
    }
  }

  @Test
  void powerTasksMapToPowerOperations() {
    assertThat(TaskMapping.powerOp(TaskAction.POWER_ON)).isEqualTo(PowerOp.ON);
    assertThat(TaskMapping.powerOp(TaskAction.POWER_OFF)).isEqualTo(PowerOp.OFF);
    assertThat(TaskMapping.powerOp(TaskAction.SHUTDOWN_GRACEFUL))
        .isEqualTo(PowerOp.SHUTDOWN_GRACEFUL);
    assertThat(TaskMapping.powerOp(TaskAction.REBOOT)).isEqualTo(PowerOp.REBOOT);
    assertThatThrownBy(() -> TaskMapping.powerOp(TaskAction.CREATE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCreateTaskBecomesACreateRequestTaggedWithVmAndOperation() {
    // Given
    var task = Tasks.task(Tasks.newVmId(), TaskAction.CREATE, Duration.ofMinutes(1));

    // When
    var request = TaskMapping.createRequest(task);

    // Then
    assertThat(request.vmId()).isEqualTo(task.vmId());
    assertThat(request.operationId()).isEqualTo(task.operationId());
    assertThat(request.name()).isEqualTo(task.spec().name());
    assertThat(request.memoryMiB()).isEqualTo(task.spec().memoryMiB());
  }

  @Test
  void aCreateTaskWithoutSpecIsAnInvalidSpec() {
    var task = Tasks.task(Tasks.newVmId(), TaskAction.DELETE, Duration.ofMinutes(1));
    assertThatThrownBy(() -> TaskMapping.createRequest(task))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.INVALID_SPEC));
  }
}
