-- Adoption candidates: VMs carrying VirtSaga's tag that the watcher reports (vm.observations.v1)
-- while the read model does not know them (a lost database, a restore, another installation).
-- Cluster-wide: a candidate belongs to no tenant until it is adopted.

CREATE TABLE adoption_candidates (
    vm_id             TEXT        PRIMARY KEY,
    provider          TEXT        NOT NULL,
    -- the power last observed (PowerState)
    power             TEXT        NOT NULL,
    ips               TEXT[],
    provider_ref      TEXT,
    host              TEXT,
    first_seen        TIMESTAMPTZ NOT NULL,
    -- time of the newest observation applied; an older one changes nothing
    last_seen         TIMESTAMPTZ NOT NULL,
    status            TEXT        NOT NULL CHECK (status IN ('PENDING', 'ADOPTED', 'DISMISSED')),
    status_changed_at TIMESTAMPTZ,
    -- ADOPTED: the tenant it was adopted into and the ADOPT command's operation
    tenant_id         TEXT,
    operation_id      TEXT
);

CREATE INDEX adoption_candidates_pending
    ON adoption_candidates (first_seen, vm_id) WHERE status = 'PENDING';
-- an ADOPT the orchestrator refused (or that failed) makes its candidate pending again
CREATE INDEX adoption_candidates_operation
    ON adoption_candidates (operation_id) WHERE operation_id IS NOT NULL;

-- Who adopted or dismissed which candidate, and how. Written in the same transaction as the
-- candidate's change of status.
CREATE TABLE adoption_audit (
    id                BIGSERIAL   PRIMARY KEY,
    vm_id             TEXT        NOT NULL,
    action            TEXT        NOT NULL CHECK (action IN ('ADOPTED', 'DISMISSED')),
    -- the caller: its X-Tenant-Id (until authentication lands) and X-Request-Id
    actor_tenant      TEXT        NOT NULL,
    actor_request_id  TEXT,
    at                TIMESTAMPTZ NOT NULL,
    -- the operationId, the request body, the candidate as it was
    details           JSONB       NOT NULL
);

CREATE INDEX adoption_audit_at ON adoption_audit (at DESC, id DESC);
CREATE INDEX adoption_audit_vm ON adoption_audit (vm_id, at DESC, id DESC);
