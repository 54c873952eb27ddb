package dev.virtsaga.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.virtsaga.events.lifecycle.CommandAccepted;
import dev.virtsaga.events.model.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KafkaCloudEventsTest {

  @Test
  void binaryModeRoundTripKeepsAttributesExtensionsAndData() {
    // Given an event with extensions
    var payload = new CommandAccepted("vm-1", "op-1", CommandType.CREATE, EventSamples.AT);
    var event =
        CloudEvent.of(
            "/virtsaga/orchestrator",
            "vm-1",
            payload,
            Map.of(CloudEvent.EXT_SEQUENCE, "3", CloudEvent.EXT_OPERATION_ID, "op-1"));
    // When it goes through Kafka headers and back
    var headers = KafkaCloudEvents.toHeaders(event);
    var read = KafkaCloudEvents.fromRecord(headers, event.data());
    // Then nothing is lost
    assertThat(new String(headers.lastHeader("ce_type").value(), StandardCharsets.UTF_8))
        .isEqualTo("dev.virtsaga.vm.command.accepted.v1");
    assertThat(headers.lastHeader("content-type").value())
        .isEqualTo("application/json".getBytes(StandardCharsets.UTF_8));
    assertThat(read).isEqualTo(event);
    assertThat(read.payload(CommandAccepted.class)).isEqualTo(payload);
  }

  @Test
  void recordsWithoutCloudEventsAttributesAreMalformed() {
    var headers = new RecordHeaders();
    assertThatThrownBy(() -> KafkaCloudEvents.fromRecord(headers, "{}"))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("specversion");
    headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_id", "1".getBytes(StandardCharsets.UTF_8));
    headers.add("ce_source", "/x".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> KafkaCloudEvents.fromRecord(headers, "{}"))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("ce_type");
  }

  @Test
  void unknownTypeOrBadDataIsMalformed() {
    var event = new CloudEvent("1", "/x", "dev.virtsaga.nope.v1", null, null, Map.of(), "{}");
    assertThatThrownBy(event::payload).isInstanceOf(MalformedEventException.class);
    var bad =
        new CloudEvent("1", "/x", EventCatalog.COMMAND_ACCEPTED, null, null, Map.of(), "{nope");
    assertThatThrownBy(bad::payload).isInstanceOf(MalformedEventException.class);
  }
}
