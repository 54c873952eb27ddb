package dev.virtsaga.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON Schemas of the event types: generated from the records (so code and contract cannot
 * drift unnoticed), committed under {@code src/main/resources/schemas/}, and used to validate
 * events.
 */
public final class EventSchemas {
  private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaGenerator GENERATOR = newGenerator();

  private EventSchemas() {}

  private static SchemaGenerator newGenerator() {
    var builder =
        new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
            .with(new JacksonModule())
            .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT)
            .with(Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
            .with(Option.NULLABLE_FIELDS_BY_DEFAULT)
            .without(Option.SCHEMA_VERSION_INDICATOR);
    builder
        .forFields()
        .withRequiredCheck(f -> f.getAnnotationConsideringFieldAndGetter(Opt.class) == null)
        .withNullableCheck(f -> f.getAnnotationConsideringFieldAndGetter(Opt.class) != null);
    return new SchemaGenerator(builder.build());
  }

  /** The schema the records of this build describe for an event type. */
  public static ObjectNode generate(String type) {
    ObjectNode schema = GENERATOR.generateSchema(EventCatalog.classOf(type));
    ObjectNode out = Json.mapper().createObjectNode();
    out.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    out.put("$id", "https://virtsaga.dev/schemas/" + type + ".json");
    out.put("title", type);
    out.setAll(schema);
    return out;
  }

  /** The committed schema of an event type. */
  public static JsonNode committed(String type) {
    try (InputStream in =
        EventSchemas.class
            .getClassLoader()
            .getResourceAsStream(EventCatalog.schemaResource(type))) {
      if (in == null) {
        throw new IllegalStateException("no committed schema for " + type);
      }
      return Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Validates an event's JSON data against its committed schema.
   *
   * @return the violations; empty when the event is valid
   */
  public static List<String> validate(String type, String json) {
    JsonSchema schema = LOADED.computeIfAbsent(type, t -> FACTORY.getSchema(committed(t)));
    try {
      return schema.validate(Json.mapper().readTree(json)).stream()
          .map(ValidationMessage::getMessage)
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }
}
