package dev.virtsaga.gateway;

/**
 * What the gateway answers for a command it published (and replays for a repeated Idempotency-Key).
 */
public record CommandReceipt(String operationId, String vmId, OperationStatus status) {}
