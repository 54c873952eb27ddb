package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.CommandReceipt;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The API's OpenAPI description: its title and the problem+json responses every endpoint references
 * by name ({@code @APIResponse(responseCode = "409", ref = "Problem409")}).
 */
@OpenAPIDefinition(
    info = @Info(title = "VirtSaga API", version = "v1"),
    components =
        @Components(
            responses = {
              @APIResponse(
                  name = "Accepted",
                  description = "Command accepted; follow the operation at Location",
                  content =
                      @Content(
                          mediaType = "application/json",
                          schema = @Schema(implementation = CommandReceipt.class))),
              @APIResponse(
                  name = "Problem400",
                  description =
                      "Invalid request (malformed JSON, unknown field, wrong type, value out of"
                          + " range); nothing was published",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem404",
                  description = "No such VM, operation, snapshot or action for this tenant",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem409",
                  description =
                      "An operation is in flight on the VM, or a request with the same"
                          + " Idempotency-Key is still in progress",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem422",
                  description =
                      "Refused: the provider does not support it, a disk would shrink, or the"
                          + " Idempotency-Key was used for another request",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem503",
                  description =
                      "Kafka did not acknowledge the command, or the read model is still loading;"
                          + " retry after Retry-After",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class)))
            }))
public class ApiDefinition extends Application {}
