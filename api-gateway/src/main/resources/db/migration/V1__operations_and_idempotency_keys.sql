-- The gateway's own database: operations it published and the Idempotency-Keys it has seen.
-- VM state is never stored here; the read model is built from vm.state.v1.

CREATE TABLE operations (
    operation_id  TEXT        PRIMARY KEY,
    tenant_id     TEXT        NOT NULL,
    vm_id         TEXT        NOT NULL,
    type          TEXT        NOT NULL,
    -- ACCEPTED | RUNNING | SUCCEEDED | FAILED | REJECTED
    status        TEXT        NOT NULL,
    -- 0 accepted, 1 running, 2 terminal: a status only replaces one of a lower rank
    status_rank   SMALLINT    NOT NULL,
    step          TEXT,
    error_type    TEXT,
    error_message TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    -- time of the newest lifecycle event applied; orders updates of equal rank
    last_event_at TIMESTAMPTZ
);

CREATE INDEX operations_tenant_vm ON operations (tenant_id, vm_id);
-- retention: finished operations are purged after virtsaga.gateway.operations.retention
CREATE INDEX operations_finished ON operations (updated_at) WHERE status_rank = 2;

CREATE TABLE idempotency_keys (
    tenant_id       TEXT        NOT NULL,
    idempotency_key TEXT        NOT NULL,
    -- SHA-256 of method, path and canonical body
    request_hash    TEXT        NOT NULL,
    -- false while the command is being published; a repeat then gets 409
    completed       BOOLEAN     NOT NULL,
    operation_id    TEXT        NOT NULL,
    vm_id           TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, idempotency_key)
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
