-- Latest result of each gate of each rollout, as GET /rollouts/{id}/gates shows it. This is a current
-- view, overwritten by every evaluation; the history of violations and refusals is in deployment_state.
CREATE TABLE gate_result (
    rollout_id   uuid        NOT NULL REFERENCES rollout (id),
    gate_name    text        NOT NULL,
    kind         text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('PASS', 'FAIL', 'ERROR')),
    detail       text        NOT NULL,
    evaluated_at timestamptz NOT NULL,
    PRIMARY KEY (rollout_id, gate_name)
);
