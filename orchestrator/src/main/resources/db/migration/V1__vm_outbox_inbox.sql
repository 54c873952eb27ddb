-- The VM aggregate: one row per VM, the in-flight operation inlined (at most one per VM).
create table vm (
    id                   text primary key,
    tenant_id            text        not null,
    provider             text        not null,
    spec                 text        not null, -- JSON VmSpec
    state                text        not null,
    provider_ref         text,
    observed_power       text        not null,
    conditions           text        not null default '[]', -- JSON
    ips                  text        not null default '[]', -- JSON
    last_operation_id    text,
    last_error           text,                               -- JSON TaskError
    op_id                text,
    op_type              text,
    op_step              text,
    op_attempt           integer,
    op_deadline          timestamptz,
    op_started_at        timestamptz,
    op_origin            text,
    op_compensating      boolean,
    op_retry_at          timestamptz,
    op_cause             text,                               -- JSON TaskError
    op_graceful_timeout  integer,
    next_timer           timestamptz, -- when the deadline sweeper must look at this VM
    version              bigint      not null,
    created_at           timestamptz not null,
    updated_at           timestamptz not null,
    -- invariant 1: transitional <=> operation <=> deadline
    constraint vm_operation_has_deadline check ((op_id is null) = (op_deadline is null))
);
create index vm_next_timer on vm (next_timer) where next_timer is not null;
create index vm_tenant on vm (tenant_id);

-- Transactional outbox: written with the VM in one transaction, relayed to Kafka in id order.
create table outbox (
    id            bigserial primary key,
    topic         text        not null,
    record_key    text        not null,
    ce_id         text,        -- null with data for a tombstone
    ce_type       text,
    ce_time       timestamptz,
    ce_extensions text,        -- JSON object
    data          text,        -- null = tombstone
    created_at    timestamptz not null default now()
);

-- Inbox: events already processed, so redelivery changes nothing.
create table processed_event (
    consumer     text        not null,
    event_id     text        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
);
