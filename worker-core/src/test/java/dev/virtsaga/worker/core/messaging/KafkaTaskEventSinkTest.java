package dev.virtsaga.worker.core.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.CloudEvent;
import dev.virtsaga.events.EventCatalog;
import dev.virtsaga.events.EventSchemas;
import dev.virtsaga.events.KafkaCloudEvents;
import dev.virtsaga.events.model.TaskAction;
import dev.virtsaga.events.task.TaskEvent;
import dev.virtsaga.events.task.TaskStatus;
import dev.virtsaga.worker.core.mapping.TaskMapping;
import dev.virtsaga.worker.core.service.Tasks;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KafkaTaskEventSinkTest {

  @Test
  void aTaskEventBecomesABinaryCloudEventKeyedByVmId() {
    // Given
    var sink = new KafkaTaskEventSink(null, new TestConfig("libvirt", Optional.empty()));
    var task = Tasks.task(Tasks.newVmId(), TaskAction.CREATE, Duration.ofMinutes(1));
    TaskEvent event = TaskMapping.event(task, TaskStatus.ACCEPTED, Instant.now());

    // When
    var message = sink.toMessage(event);

    // Then
    @SuppressWarnings("unchecked")
    OutgoingKafkaRecordMetadata<String> meta =
        message.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
    assertThat(meta.getKey()).isEqualTo(task.vmId());
    CloudEvent ce = KafkaCloudEvents.fromRecord(meta.getHeaders(), message.getPayload());
    assertThat(ce.type()).isEqualTo(EventCatalog.TASK_ACCEPTED);
    assertThat(ce.source()).isEqualTo("urn:virtsaga:worker:libvirt");
    assertThat(ce.subject()).isEqualTo(task.vmId());
    assertThat(ce.extension(CloudEvent.EXT_OPERATION_ID)).isEqualTo(task.operationId());
    assertThat(ce.extension(CloudEvent.EXT_PROVIDER)).isEqualTo(task.provider());
    assertThat(ce.payload(TaskEvent.class)).isEqualTo(event);
    assertThat(EventSchemas.validate(ce.type(), ce.data())).isEmpty();
  }
}
