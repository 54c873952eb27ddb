-- Projects: a batch of VMs created by one POST /v1/projects (the seed's request format).
-- A project and the ids of all its VMs are written in one transaction before anything is
-- published, so repeating the request (after a crash mid-fan-out) publishes the missing creates
-- with the same vmId and operationId, never a second VM.

CREATE TABLE projects (
    tenant_id   TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    -- the request as accepted: canonical JSON with defaults applied
    request     JSONB       NOT NULL,
    -- SHA-256 of that request: the same body replays the project, another one is refused (409)
    fingerprint TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE project_vms (
    tenant_id    TEXT    NOT NULL,
    project      TEXT    NOT NULL,
    vm_name      TEXT    NOT NULL,
    -- the request's instance this VM was fanned out from
    instance     TEXT    NOT NULL,
    -- chosen when the project is first stored, before its create is published
    vm_id        TEXT    NOT NULL,
    operation_id TEXT    NOT NULL,
    -- the VM's place in the request (instances in order, then 1..number_of_instances)
    position     INTEGER NOT NULL,
    -- true once Kafka acknowledged the VM's create
    submitted    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (tenant_id, project, vm_name),
    FOREIGN KEY (tenant_id, project) REFERENCES projects (tenant_id, name) ON DELETE CASCADE
);
