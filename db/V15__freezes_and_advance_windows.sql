-- Freeze windows: while a freeze covers a target, no rollout starts on it and none of its rollouts advances.
-- A freeze is lifted (DELETE /freezes/{name}) by marking it, so its name can be used again; creating and
-- lifting one are recorded in the audit log, which is where the history of freezes is read.
-- The table is freeze_window: FREEZE is a reserved word in PostgreSQL.
CREATE TABLE freeze_window (
    id          bigserial   PRIMARY KEY,
    name        text        NOT NULL,
    from_at     timestamptz NOT NULL,
    until_at    timestamptz NOT NULL,
    -- Patterns where '*' matches any run of characters, as in token scopes. NULL: every target.
    targets     text[]      CHECK (targets IS NULL OR cardinality(targets) BETWEEN 1 AND 32),
    reason      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    lifted_at   timestamptz,
    lifted_by   text,
    CONSTRAINT freeze_ends_after_it_starts CHECK (until_at > from_at)
);

-- One freeze per name until it is lifted.
CREATE UNIQUE INDEX freeze_one_per_name ON freeze_window (name) WHERE lifted_at IS NULL;
-- The question every advance and every tick asks: the freezes not lifted that have not ended.
CREATE INDEX freeze_not_ended ON freeze_window (until_at) WHERE lifted_at IS NULL;

-- Advance windows of a plan: [{"days": ["MON", ...], "from": "09:00", "until": "16:00", "zone": "Europe/Berlin"}].
-- Plans stay immutable: written once, with the plan version.
ALTER TABLE plan ADD COLUMN advance_windows jsonb;

-- Annotations of audit entries that are not about one rollout (freezes): the outbox carries them on the same
-- Grafana channel as history events, a row naming either a history event (and its rollout) or an audit entry.
ALTER TABLE event_outbox ALTER COLUMN event_seq DROP NOT NULL;
ALTER TABLE event_outbox ALTER COLUMN rollout_id DROP NOT NULL;
ALTER TABLE event_outbox ADD COLUMN audit_seq bigint REFERENCES audit_log (seq);
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_one_source CHECK (
    (event_seq IS NOT NULL AND rollout_id IS NOT NULL AND audit_seq IS NULL)
    OR (event_seq IS NULL AND rollout_id IS NULL AND audit_seq IS NOT NULL));
ALTER TABLE event_outbox ADD CONSTRAINT event_outbox_one_per_audit_channel UNIQUE (audit_seq, channel);

-- "payments-*, checkout" or "every target": a freeze's targets as a person reads them.
CREATE FUNCTION freeze_targets_text(details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(details -> 'targets') = 'array'
                THEN (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(details -> 'targets') AS t)
                ELSE 'every target' END
$$;

-- The one implementation of a freeze annotation's text: what, when, on which targets, who and why.
CREATE FUNCTION freeze_annotation_text(action text, actor text, reason text, details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT 'freeze ' || coalesce(details ->> 'name', '?') || ' on ' || freeze_targets_text(details) || ': '
           || CASE action
                  WHEN 'freeze_created' THEN 'set from ' || rollout_utc(details ->> 'from') || ' until '
                                             || rollout_utc(details ->> 'until')
                  WHEN 'freeze_lifted' THEN 'lifted (it was to last until ' || rollout_utc(details ->> 'until') || ')'
                  ELSE action
              END
           || ' by ' || actor
           || CASE WHEN btrim(coalesce(reason, '')) <> '' THEN '. Reason: ' || reason ELSE '' END
$$;

-- freeze, freeze:<name>, action:<action>, and audit:<seq>, which names the entry uniquely (the Grafana delivery
-- looks it up before sending an annotation again).
CREATE FUNCTION freeze_annotation_tags(action text, details jsonb, seq bigint) RETURNS text[]
    LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['freeze', 'freeze:' || coalesce(details ->> 'name', '?'), 'action:' || action, 'audit:' || seq::text]
$$;

-- Audit entries that become annotations, for Grafana's PostgreSQL data source and the pushed annotations alike.
-- A created freeze is a region from its start to its end; a lifted one marks the moment it was lifted.
CREATE VIEW audit_annotation AS
SELECT a.seq,
       a.action,
       CASE WHEN a.action = 'freeze_created'
            THEN (extract(epoch FROM (a.details ->> 'from')::timestamptz) * 1000)::bigint
            ELSE (extract(epoch FROM a.at) * 1000)::bigint END  AS "time",
       CASE WHEN a.action = 'freeze_created'
            THEN (extract(epoch FROM (a.details ->> 'until')::timestamptz) * 1000)::bigint
            ELSE (extract(epoch FROM a.at) * 1000)::bigint END  AS "timeEnd",
       freeze_annotation_text(a.action, a.actor, a.reason, a.details) AS text,
       array_to_string(freeze_annotation_tags(a.action, a.details, a.seq), ',') AS tags,
       freeze_annotation_tags(a.action, a.details, a.seq)           AS tag_list
FROM audit_log a
WHERE a.action IN ('freeze_created', 'freeze_lifted');
