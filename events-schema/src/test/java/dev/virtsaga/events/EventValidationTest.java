package dev.virtsaga.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.virtsaga.events.lifecycle.CommandAccepted;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventValidationTest {

  static Iterable<Object> samples() {
    return EventSamples.all();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void everySampleValidatesAgainstItsSchemaAndRoundTrips(Object sample) {
    String type = EventCatalog.typeOf(sample);
    String json = Json.write(sample);
    assertThat(EventSchemas.validate(type, json)).as(json).isEmpty();
    assertThat(Json.read(json, EventCatalog.classOf(type))).isEqualTo(sample);
  }

  @Test
  void samplesCoverEveryEventType() {
    Set<String> covered = new HashSet<>();
    EventSamples.all().forEach(s -> covered.add(EventCatalog.typeOf(s)));
    assertThat(covered).containsExactlyInAnyOrderElementsOf(EventCatalog.types());
  }

  @Test
  void missingRequiredFieldUnknownFieldAndWrongEnumAreRejected() {
    String type = EventCatalog.typeOf(CommandAccepted.class);
    assertThat(
            EventSchemas.validate(
                type, "{\"vmId\":\"v\",\"operationId\":\"o\",\"command\":\"CREATE\"}"))
        .anyMatch(m -> m.contains("at"));
    assertThat(
            EventSchemas.validate(
                type,
                "{\"vmId\":\"v\",\"operationId\":\"o\",\"command\":\"CREATE\",\"at\":\"2026-01-01T00:00:00Z\",\"x\":1}"))
        .anyMatch(m -> m.contains("x"));
    assertThat(
            EventSchemas.validate(
                type,
                "{\"vmId\":\"v\",\"operationId\":\"o\",\"command\":\"FLY\",\"at\":\"2026-01-01T00:00:00Z\"}"))
        .isNotEmpty();
  }
}
