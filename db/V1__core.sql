-- Core schema: plans, rollouts, the append-only deployment_state history and idempotency records.
-- Hibernate validates this schema at start-up and never generates it.

CREATE TABLE plan (
    id                 bigserial   PRIMARY KEY,
    name               text        NOT NULL,
    version            integer     NOT NULL CHECK (version >= 1),
    mode               text        NOT NULL CHECK (mode IN ('MANUAL', 'AUTOMATIC')),
    on_violation       text        NOT NULL CHECK (on_violation IN ('PAUSE', 'ROLLBACK')),
    min_total_duration text,
    final_bake         text,
    steps              jsonb       NOT NULL,
    gates              jsonb       NOT NULL DEFAULT '[]',
    created_at         timestamptz NOT NULL,
    created_by         text        NOT NULL,
    CONSTRAINT plan_name_version_unique UNIQUE (name, version)
);

CREATE TABLE rollout (
    id                  uuid             PRIMARY KEY,
    plan_id             bigint           NOT NULL REFERENCES plan (id),
    target              text             NOT NULL,
    version             text             NOT NULL,
    state               text             NOT NULL
        CHECK (state IN ('PROGRESSING', 'PAUSED', 'COMPLETED', 'ROLLED_BACK', 'ABORTED')),
    step_index          integer          NOT NULL CHECK (step_index >= -1),
    step_count          integer          NOT NULL CHECK (step_count >= 1),
    current_percentage  double precision NOT NULL CHECK (current_percentage >= 0 AND current_percentage <= 100),
    step_entered_at     timestamptz      NOT NULL,
    dwell_started_at    timestamptz      NOT NULL,
    earliest_advance_at timestamptz      NOT NULL,
    started_at          timestamptz      NOT NULL,
    finished_at         timestamptz,
    updated_at          timestamptz      NOT NULL,
    row_version         bigint           NOT NULL DEFAULT 0
);

-- At most one active (PROGRESSING or PAUSED) rollout per target, enforced by the database.
CREATE UNIQUE INDEX rollout_one_active_per_target ON rollout (target) WHERE state IN ('PROGRESSING', 'PAUSED');
CREATE INDEX rollout_due ON rollout (earliest_advance_at) WHERE state = 'PROGRESSING';
CREATE INDEX rollout_state ON rollout (state, started_at);

CREATE TABLE deployment_state (
    seq             bigserial        PRIMARY KEY,
    rollout_id      uuid             NOT NULL REFERENCES rollout (id),
    at              timestamptz      NOT NULL,
    action          text             NOT NULL CHECK (action IN ('started', 'step', 'advance_refused', 'gate_violation',
                                         'paused', 'resumed', 'rolled_back', 'aborted', 'completed', 'override')),
    from_percentage double precision,
    to_percentage   double precision,
    actor           text             NOT NULL,
    reason          text,
    details         jsonb            NOT NULL DEFAULT '{}'
);
CREATE INDEX deployment_state_rollout ON deployment_state (rollout_id, seq);

-- The history is append-only: the database itself refuses UPDATE, DELETE and TRUNCATE.
CREATE FUNCTION deployment_state_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'deployment_state is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER deployment_state_no_update_or_delete
    BEFORE UPDATE OR DELETE ON deployment_state
    FOR EACH ROW EXECUTE FUNCTION deployment_state_is_append_only();

CREATE TRIGGER deployment_state_no_truncate
    BEFORE TRUNCATE ON deployment_state
    FOR EACH STATEMENT EXECUTE FUNCTION deployment_state_is_append_only();

-- First answers of calls made with an Idempotency-Key, replayed on retries.
CREATE TABLE idempotency_record (
    scope       text        NOT NULL,
    idem_key    text        NOT NULL,
    fingerprint text        NOT NULL,
    status      integer,            -- NULL while the first call is still in its transaction
    body        text,
    location    text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_record_created ON idempotency_record (created_at);
