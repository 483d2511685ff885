-- Instances of the service that share the watch. Each heartbeats every tick; the live ones (heartbeat
-- within the lease) split the active rollouts among themselves by rendezvous hashing, with no leader.
CREATE TABLE watch_member (
    member_id    text        PRIMARY KEY,
    instance     text        NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    joined_at    timestamptz NOT NULL
);

-- True while a gate violation of a PAUSED rollout has been recorded and its gates have not passed since:
-- the watch records a violation of a paused rollout once, not at every tick.
ALTER TABLE rollout ADD COLUMN violation_open boolean NOT NULL DEFAULT false;
