package dev.virtsaga.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.virtsaga.events.lifecycle.LifecycleEvent;

/**
 * A lifecycle event as subscribers of {@code GET /v1/events} see it.
 *
 * @param id the CloudEvents id
 * @param type the CloudEvents type
 * @param tenantId the VM's tenant; only that tenant's subscribers see the event
 * @param event the payload
 * @param json the payload's JSON plus {@code type}, {@code id} and {@code time}
 */
public record LifecycleNotice(
    String id, String type, String vmId, String tenantId, LifecycleEvent event, ObjectNode json) {}
