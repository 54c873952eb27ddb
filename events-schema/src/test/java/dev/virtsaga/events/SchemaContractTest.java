package dev.virtsaga.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed schemas are the contract: the records may only change compatibly. */
class SchemaContractTest {

  static Iterable<String> types() {
    return EventCatalog.types();
  }

  @ParameterizedTest
  @MethodSource("types")
  void recordsChangeTheCommittedSchemaOnlyCompatibly(String type) {
    // Given the released schema and the one the records describe now
    var released = EventSchemas.committed(type);
    var current = EventSchemas.generate(type);
    // Then nothing a released reader relies on has changed
    assertThat(SchemaCompatibility.breakingChanges(released, current))
        .as("backward-incompatible change to %s: add a new major version instead", type)
        .isEmpty();
  }

  @ParameterizedTest
  @MethodSource("types")
  void committedSchemaIsUpToDate(String type) {
    assertThat(EventSchemas.generate(type))
        .as(
            "schemas/%s.json is stale; after a compatible change run: "
                + "java -cp events-schema/target/classes:$(cat events-schema/target/classpath.txt) "
                + "dev.virtsaga.events.SchemaWriter events-schema/src/main/resources/schemas",
            type)
        .isEqualTo(EventSchemas.committed(type));
  }
}
