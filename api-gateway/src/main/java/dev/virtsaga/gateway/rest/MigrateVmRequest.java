package dev.virtsaga.gateway.rest;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/vms/{id}/migrate}. Unknown properties are refused. */
@Schema(name = "MigrateVmRequest", description = "Where to move the VM")
public record MigrateVmRequest(
    @Schema(
            description =
                "One of the hosts the provider declares (GET /v1/providers), by name or URI",
            examples = "host-b")
        @NotNull
        @Pattern(regexp = HOST, message = "must be 1-1024 printable characters, no spaces")
        String host) {

  /** A host name or URI: printable ASCII, no spaces. */
  public static final String HOST = "^[\\x21-\\x7e]{1,1024}$";
}
