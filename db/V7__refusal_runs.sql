-- Repeated refusals: a run of identical refused advances (same rollout, step, refusal type and actor) is
-- recorded in deployment_state as its first refusal, then as one summary when the run ends or every 24 hours
-- while it lasts. Between records the count lives here. This table is not history: its one row per rollout
-- is updated in place and deleted when the run ends.
CREATE TABLE refusal_run (
    rollout_id      uuid             PRIMARY KEY REFERENCES rollout (id),
    step_index      integer          NOT NULL,
    refusal         text             NOT NULL,
    actor           text             NOT NULL,
    -- what the run's records say about the move that was refused
    from_percentage double precision,
    to_percentage   double precision,
    -- refused calls since the run's last record, and the first and last of them (null while there are none)
    repeats         bigint           NOT NULL DEFAULT 0 CHECK (repeats >= 0),
    first_at        timestamptz,
    last_at         timestamptz,
    -- when the run's last record (its first refusal or its last summary) was appended
    recorded_at     timestamptz      NOT NULL,
    CHECK ((repeats = 0) = (first_at IS NULL) AND (first_at IS NULL) = (last_at IS NULL))
);
