package dev.virtsaga.worker.core.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.MalformedEventException;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskRequested;
import dev.virtsaga.worker.core.service.Tasks;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TaskRecordsTest {
  private final TaskRequested task =
      Tasks.task(Tasks.newVmId(), TaskAction.CREATE, Duration.ofMinutes(1));

  private static CloudEvent event(Object payload) {
    return CloudEvent.of("urn:test", "vm", payload, Map.of());
  }

  @Test
  void aTaskEventForThisProviderIsRead() {
    // Given
    CloudEvent e = event(task);

    // When
    TaskRequested read = TaskRecords.read(KafkaCloudEvents.toHeaders(e), e.data(), Tasks.PROVIDER);

    // Then
    assertThat(read).isEqualTo(task);
  }

  @Test
  void recordsThatAreNotCompleteTasksForThisProviderAreMalformed() {
    CloudEvent good = event(task);
    Headers headers = KafkaCloudEvents.toHeaders(good);

    assertMalformed(new RecordHeaders(), good.data(), "ce_specversion");
    assertMalformed(null, good.data(), "without headers");
    assertMalformed(headers, "{not json", "not a valid");
    assertMalformed(headers, null, "no data");
    assertMalformed(headers, good.data().replace("\"vmId\"", "\"vmid\""), "no vmId");
    assertMalformed(headers, good.data().replace("\"deadline\"", "\"dl\""), "no deadline");

    TaskRequested other =
        new TaskRequested(
            task.taskId(),
            task.operationId(),
            task.vmId(),
            "vsphere",
            task.step(),
            task.action(),
            1,
            task.idempotencyKey(),
            task.deadline(),
            task.spec(),
            null);
    CloudEvent forOther = event(other);
    assertMalformed(KafkaCloudEvents.toHeaders(forOther), forOther.data(), "vsphere");

    var accepted =
        dev.virtsaga.worker.core.mapping.TaskMapping.event(
            task, dev.virtsaga.events.task.TaskStatus.ACCEPTED, java.time.Instant.now());
    CloudEvent wrongType = event(accepted);
    assertMalformed(KafkaCloudEvents.toHeaders(wrongType), wrongType.data(), "expected");
  }

  private static void assertMalformed(Headers headers, String value, String why) {
    assertThatThrownBy(() -> TaskRecords.read(headers, value, Tasks.PROVIDER))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining(why);
  }
}
