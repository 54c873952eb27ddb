package dev.virtsaga.gateway.rest;

import dev.virtsaga.gateway.LifecycleNotice;
import dev.virtsaga.gateway.Tenant;
import dev.virtsaga.gateway.config.GatewayConfig;
import dev.virtsaga.gateway.service.LifecycleBroadcaster;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Lifecycle events as Server-Sent Events: each SSE {@code event:} is the CloudEvents type, {@code
 * id:} the event id, {@code data:} the payload JSON plus {@code type}, {@code id} and {@code time}.
 * A comment ({@code : connected}) is sent as soon as the stream is live, and {@code : heartbeat}
 * comments keep idle connections open.
 */
@Path("/v1/events")
@Tag(name = "Events")
public class EventResource {
  private final LifecycleBroadcaster broadcaster;
  private final GatewayConfig config;

  public EventResource(LifecycleBroadcaster broadcaster, GatewayConfig config) {
    this.broadcaster = broadcaster;
    this.config = config;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  @Operation(
      summary = "Stream lifecycle events",
      description = "Events of the tenant's VMs from now on, optionally of one VM only")
  @APIResponse(
      responseCode = "200",
      description =
          "Server-Sent Events: `event:` the CloudEvents type (e.g."
              + " dev.virtsaga.vm.state.changed.v1), `id:` the event id, `data:` the event's JSON"
              + " payload plus `type`, `id` and `time`. Starts with a `: connected` comment;"
              + " `: heartbeat` comments keep the stream open.",
      content =
          @Content(
              mediaType = MediaType.SERVER_SENT_EVENTS,
              schema = @Schema(type = SchemaType.STRING)))
  public Multi<OutboundSseEvent> events(
      @HeaderParam(Tenant.HEADER) String tenant,
      @Parameter(description = "Only this VM's events") @QueryParam("vmId") String vmId,
      @Context Sse sse) {
    Tenant t = Tenant.fromHeader(tenant);
    Multi<OutboundSseEvent> events = broadcaster.subscribe(t.id(), vmId).map(n -> toSse(sse, n));
    Multi<OutboundSseEvent> connected =
        Multi.createFrom().item(() -> sse.newEventBuilder().comment("connected").build());
    Multi<OutboundSseEvent> heartbeats =
        Multi.createFrom()
            .ticks()
            .every(config.events().heartbeat())
            .onOverflow()
            .drop()
            .map(tick -> sse.newEventBuilder().comment("heartbeat").build());
    // Merging subscribes to the events before "connected" goes out: a client that has read it
    // misses nothing published afterwards.
    return Multi.createBy().merging().streams(events, connected, heartbeats);
  }

  private static OutboundSseEvent toSse(Sse sse, LifecycleNotice n) {
    return sse.newEventBuilder()
        .name(n.type())
        .id(n.id())
        .mediaType(MediaType.APPLICATION_JSON_TYPE)
        .data(n.json())
        .build();
  }
}
