-- What a succeeded operation produced (OperationSucceeded.result): an export's location, format,
-- size and SHA-256, a clone's new vmId, a migration's host. JSON, so optional fields the wire
-- contract adds later are kept.
ALTER TABLE operations ADD COLUMN result JSONB;

-- A clone's new VM id is chosen with the operation id, before anything is published, so a repeat
-- of the request with the same Idempotency-Key answers with the same one.
ALTER TABLE idempotency_keys ADD COLUMN target_vm_id TEXT;
