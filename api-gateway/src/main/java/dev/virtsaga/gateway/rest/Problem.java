package dev.virtsaga.gateway.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.virtsaga.gateway.FieldError;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem detail, served as {@code application/problem+json}. */
@Schema(name = "Problem", description = "RFC 9457 problem details")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String instance,
    @Schema(description = "Validation errors, one per offending field") List<FieldError> errors) {

  public static final String MEDIA_TYPE = "application/problem+json";
  public static final String TYPE_BASE = "https://virtsaga.dev/problems/";

  public static Problem of(String kind, String title, int status, String detail, String instance) {
    return new Problem(TYPE_BASE + kind, title, status, detail, instance, null);
  }
}
