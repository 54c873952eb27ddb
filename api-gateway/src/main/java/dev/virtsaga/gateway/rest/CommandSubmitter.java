package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.service.CommandRequest;
import dev.virtsaga.gateway.service.CommandService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/**
 * Submits a validated command and answers it the way every command endpoint does: {@code 202} with
 * the receipt and {@code Location: /v1/operations/{operationId}}.
 */
@ApplicationScoped
public class CommandSubmitter {
  private final CommandService commands;

  public CommandSubmitter(CommandService commands) {
    this.commands = commands;
  }

  /**
   * @param idempotencyKey the client's Idempotency-Key, or {@code null}
   * @param requestId the client's X-Request-Id, or {@code null} for a fresh one
   */
  public Uni<Response> submit(
      Tenant tenant, String idempotencyKey, String requestId, CommandRequest request) {
    String correlation =
        requestId == null || requestId.isBlank() ? UUID.randomUUID().toString() : requestId;
    return commands
        .submit(tenant.id(), idempotencyKey, correlation, request)
        .map(
            receipt ->
                Response.accepted(receipt)
                    .header("Location", "/v1/operations/" + receipt.operationId())
                    .build());
  }
}
