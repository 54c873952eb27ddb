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
                  description =
                      "No such VM, operation, snapshot, action or project for this tenant (or the"
                          + " provider does not find the VM), or no such adoption candidate",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem409",
                  description =
                      "An operation is in flight on the VM, a request with the same"
                          + " Idempotency-Key is still in progress, the command does not fit"
                          + " the VM's state (not-migrating, already-on-host, snapshot-not-ready),"
                          + " or a project of that name exists with another request"
                          + " (project-exists); an adoption of a candidate that is not pending"
                          + " (candidate-not-pending, candidate-adopted), whose power is not"
                          + " known (candidate-power-unknown), or of a VM VirtSaga manages"
                          + " (vm-exists)",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem422",
                  description =
                      "Refused: the provider or VirtSaga does not support it (not-supported;"
                          + " errors name the fields), a disk would shrink, a URL fails the transfer allow-list (url-not-allowed), a host"
                          + " the provider does not declare (unknown-host), or the Idempotency-Key"
                          + " was used for another request",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem502",
                  description = "The provider's worker answered with an error (worker-failed)",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class))),
              @APIResponse(
                  name = "Problem503",
                  description =
                      "Kafka did not acknowledge the command, the read model is still loading,"
                          + " or the provider's worker cannot be asked (provider-unavailable);"
                          + " retry after Retry-After",
                  content =
                      @Content(
                          mediaType = Problem.MEDIA_TYPE,
                          schema = @Schema(implementation = Problem.class)))
            }))
public class ApiDefinition extends Application {}
