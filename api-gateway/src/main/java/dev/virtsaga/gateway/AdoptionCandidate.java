package dev.virtsaga.gateway;

import dev.virtsaga.events.model.PowerState;
import java.time.Instant;
import java.util.List;

/**
 * A VM carrying VirtSaga's tag that the watcher reports but the read model does not know: left by a
 * lost database, a restore, another installation. Cluster-wide: it belongs to no tenant until it is
 * adopted.
 *
 * @param power the power last observed
 * @param firstSeen when the first observation of it was made
 * @param lastSeen when the newest observation applied was made
 * @param statusChangedAt when it last changed status (first seen, adopted, dismissed, reopened)
 * @param tenantId ADOPTED: the tenant it was adopted into; otherwise {@code null}
 * @param operationId ADOPTED: the ADOPT command's operation; otherwise {@code null}
 */
public record AdoptionCandidate(
    String vmId,
    String provider,
    PowerState power,
    List<String> ips,
    String providerRef,
    String host,
    Instant firstSeen,
    Instant lastSeen,
    AdoptionStatus status,
    Instant statusChangedAt,
    String tenantId,
    String operationId) {}
