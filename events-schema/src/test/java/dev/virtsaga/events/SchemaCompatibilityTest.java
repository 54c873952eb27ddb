package dev.virtsaga.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SchemaCompatibilityTest {

  private static JsonNode json(String s) {
    try {
      return Json.mapper().readTree(s.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final JsonNode RELEASED =
      json(
          "{'type':'object','required':['a'],'properties':{"
              + "'a':{'type':'string'},"
              + "'b':{'type':['integer','null']},"
              + "'c':{'$ref':'#/$defs/C'},"
              + "'e':{'type':'string','enum':['X','Y']}},"
              + "'$defs':{'C':{'type':'object','properties':{'d':{'type':'string'}}}}}");

  @Test
  void identicalSchemasAreCompatible() {
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, RELEASED)).isEmpty();
  }

  @Test
  void addingAnOptionalPropertyOrAnEnumValueIsCompatible() {
    JsonNode next =
        json(
            "{'type':'object','required':['a'],'properties':{"
                + "'a':{'type':'string'},"
                + "'b':{'type':['integer','null']},"
                + "'c':{'$ref':'#/$defs/C'},"
                + "'e':{'type':'string','enum':['X','Y','Z']},"
                + "'f':{'type':['string','null']}},"
                + "'$defs':{'C':{'type':'object','properties':{'d':{'type':'string'}}}}}");
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, next)).isEmpty();
  }

  @Test
  void removingAPropertyIsBreaking() {
    JsonNode next =
        json(
            "{'type':'object','required':['a'],'properties':{"
                + "'a':{'type':'string'},'c':{'$ref':'#/$defs/C'},"
                + "'e':{'type':'string','enum':['X','Y']}},"
                + "'$defs':{'C':{'type':'object','properties':{'d':{'type':'string'}}}}}");
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, next))
        .containsExactly("$.b: was removed");
  }

  @Test
  void changingATypeInsideAReferencedDefinitionIsBreaking() {
    JsonNode next =
        json(
            "{'type':'object','required':['a'],'properties':{"
                + "'a':{'type':'string'},'b':{'type':['integer','null']},'c':{'$ref':'#/$defs/C'},"
                + "'e':{'type':'string','enum':['X','Y']}},"
                + "'$defs':{'C':{'type':'object','properties':{'d':{'type':'integer'}}}}}");
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, next))
        .singleElement()
        .asString()
        .startsWith("$.c.d: type");
  }

  @Test
  void makingAPropertyRequiredIsBreaking() {
    JsonNode next = RELEASED.deepCopy();
    ((com.fasterxml.jackson.databind.node.ArrayNode) next.get("required")).add("b");
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, next))
        .containsExactly("$.b: became required");
  }

  @Test
  void removingAnEnumValueOrAllowingNullIsBreaking() {
    JsonNode next = RELEASED.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) next.at("/properties/e"))
        .set("enum", json("['X']"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) next.at("/properties/a"))
        .set("type", json("['string','null']"));
    assertThat(SchemaCompatibility.breakingChanges(RELEASED, next))
        .containsExactlyInAnyOrder(
            "$.e: enum value Y was removed",
            "$.a: now also accepts [null] which released readers do not expect");
  }
}
