-- Events out: the transactional outbox behind Grafana annotations and step webhooks, the optional
-- per-plan webhook, and a view Grafana's PostgreSQL data source can use as an annotation query.

-- Optional step webhook of a plan: {"url": "https://...", "secretRef": "<name of a configured secret>"}.
-- Plans stay immutable: the column is written once, when the plan version is created.
ALTER TABLE plan ADD COLUMN webhook jsonb;

-- One row per (history event, channel) still to be sent or already sent. Written in the transaction
-- that appends the event, so an event and its deliveries commit or roll back together.
CREATE TABLE event_outbox (
    id              bigserial   PRIMARY KEY,
    event_seq       bigint      NOT NULL REFERENCES deployment_state (seq),
    rollout_id      uuid        NOT NULL REFERENCES rollout (id),
    channel         text        NOT NULL CHECK (channel IN ('grafana', 'webhook')),
    payload         jsonb       NOT NULL,
    state           text        NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    -- A claim is a lease: the instance named in claimed_by sends the row until claimed_until; a row whose
    -- lease ran out (its instance died mid-delivery) can be claimed again.
    claimed_by      text,
    claimed_until   timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    -- What the receiver called the delivery (Grafana's annotation id), and whether it was found already
    -- there after an attempt whose outcome was unknown instead of being sent again.
    external_id     text,
    deduplicated    boolean     NOT NULL DEFAULT false,
    CONSTRAINT event_outbox_one_per_channel UNIQUE (event_seq, channel)
);

-- The deliverer's question: the oldest pending row of each rollout and channel that is due.
CREATE INDEX event_outbox_pending ON event_outbox (rollout_id, channel, id) WHERE state = 'PENDING';
CREATE INDEX event_outbox_due ON event_outbox (next_attempt_at) WHERE state = 'PENDING';

-- Grafana annotations straight from the history, for an annotation query of Grafana's PostgreSQL data
-- source (docs/events.md has the query to paste). "time" and "timeEnd" are epoch milliseconds; tags is a
-- comma-separated string, the form Grafana reads annotation tags in.
CREATE VIEW rollout_annotation AS
SELECT e.seq,
       e.rollout_id,
       p.name                                              AS plan,
       r.target,
       e.action,
       (extract(epoch FROM e.at) * 1000)::bigint            AS "time",
       (extract(epoch FROM e.at) * 1000)::bigint            AS "timeEnd",
       r.target || ' ' || r.version || ': ' ||
       CASE e.action
           WHEN 'started' THEN 'rollout started at 0 %'
           WHEN 'step' THEN 'stepped from ' || coalesce(e.from_percentage, 0) || ' % to ' || e.to_percentage || ' %'
           WHEN 'advance_refused' THEN 'advance refused at ' || e.from_percentage || ' %: ' || coalesce(e.reason, 'refused')
           WHEN 'gate_violation' THEN 'gate violation at ' || e.from_percentage || ' %'
           WHEN 'paused' THEN 'paused at ' || e.from_percentage || ' %'
           WHEN 'resumed' THEN 'resumed at ' || e.from_percentage || ' %; a fresh dwell starts'
           WHEN 'rolled_back' THEN 'rolled back from ' || e.from_percentage || ' % to 0 %'
           WHEN 'aborted' THEN 'aborted at ' || e.from_percentage || ' %'
           WHEN 'completed' THEN 'completed at ' || e.to_percentage || ' %'
           ELSE e.action
       END
       || ' by ' || e.actor
       || CASE WHEN e.reason IS NOT NULL AND e.action <> 'advance_refused' THEN '. Reason: ' || e.reason ELSE '' END
                                                            AS text,
       concat_ws(',', 'rollout', 'plan:' || p.name, 'target:' || r.target, 'action:' || e.action,
                 'rollout:' || e.rollout_id::text)          AS tags
FROM deployment_state e
JOIN rollout r ON r.id = e.rollout_id
JOIN plan p ON p.id = r.plan_id;
