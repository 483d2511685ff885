-- The one implementation of an annotation's text and tags. The rollout_annotation view (for Grafana's
-- PostgreSQL data source) and the annotations the controller pushes to Grafana's HTTP API both read them
-- from here, so the two can never say different things about the same event.

-- "5", "12.5", "?" (unknown): a percentage as a person writes it.
CREATE FUNCTION rollout_percent(value double precision) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value IS NULL THEN '?'
                WHEN value = trunc(value) THEN trunc(value)::bigint::text
                ELSE value::text END
$$;

-- "orchestrator-up (FAIL: no series), no-alerts (ERROR)": the gates of a details.gates list that did not
-- pass, in their order; empty when there are none.
CREATE FUNCTION rollout_failing_gates(details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(string_agg(
               (g.gate ->> 'name') || ' (' || coalesce(g.gate ->> 'status', 'null')
                   || coalesce(': ' || (g.gate ->> 'detail'), '') || ')',
               ', ' ORDER BY g.n), '')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(details -> 'gates') = 'array' THEN details -> 'gates'
                                   ELSE '[]'::jsonb END) WITH ORDINALITY AS g(gate, n)
    WHERE jsonb_typeof(g.gate) = 'object' AND coalesce(g.gate ->> 'status', '') <> 'PASS'
$$;

-- The sentence an annotation shows: what happened, from/to percentage, who, why, and failing gates.
CREATE FUNCTION rollout_annotation_text(target text, version text, plan text, plan_version integer, mode text,
        on_violation text, action text, from_percentage double precision, to_percentage double precision,
        actor text, reason text, details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT target || ' ' || version || ': ' ||
           CASE action
               WHEN 'started' THEN 'rollout started at 0 % (plan ' || plan || ' v' || plan_version || ', ' || mode || ')'
               WHEN 'step' THEN 'stepped from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               WHEN 'advance_refused' THEN 'advance from ' || rollout_percent(from_percentage) || ' %'
                                || CASE WHEN to_percentage IS NULL THEN ''
                                        ELSE ' to ' || rollout_percent(to_percentage) || ' %' END
                                || ' refused: ' || coalesce(reason, 'refused')
               WHEN 'gate_violation' THEN 'gate violation at ' || rollout_percent(from_percentage) || ' %, policy '
                                || on_violation
               WHEN 'paused' THEN 'paused at ' || rollout_percent(from_percentage) || ' %'
               WHEN 'resumed' THEN 'resumed at ' || rollout_percent(from_percentage) || ' %; a fresh dwell starts'
               WHEN 'rolled_back' THEN 'rolled back from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               WHEN 'aborted' THEN 'aborted at ' || rollout_percent(from_percentage) || ' %'
               WHEN 'completed' THEN 'completed at ' || rollout_percent(to_percentage) || ' %'
               WHEN 'override' THEN 'override from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               ELSE action
           END
           || ' by ' || actor
           || CASE WHEN action <> 'advance_refused' AND btrim(coalesce(reason, '')) <> ''
                   THEN '. Reason: ' || reason ELSE '' END
           || CASE WHEN action = 'advance_refused' AND (details ->> 'detail') IS NOT NULL
                   THEN '. ' || (details ->> 'detail') ELSE '' END
           || CASE WHEN rollout_failing_gates(details) <> ''
                   THEN '. Failing gates: ' || rollout_failing_gates(details) ELSE '' END
$$;

-- rollout, plan:, target:, action:, version:, and the two tags that name the event uniquely (rollout:<id>
-- and event:<seq>, which the Grafana delivery looks up before sending an annotation again).
CREATE FUNCTION rollout_annotation_tags(plan text, target text, action text, version text, rollout_id uuid,
        seq bigint) RETURNS text[]
    LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['rollout', 'plan:' || plan, 'target:' || target, 'action:' || action, 'version:' || version,
                 'rollout:' || rollout_id::text, 'event:' || seq::text]
$$;

-- Same columns as before, now built by the functions above, plus tag_list (the tags as an array, for
-- readers that want them unsplit). tags stays the comma-separated string Grafana reads.
CREATE OR REPLACE VIEW rollout_annotation AS
SELECT e.seq,
       e.rollout_id,
       p.name                                              AS plan,
       r.target,
       e.action,
       (extract(epoch FROM e.at) * 1000)::bigint            AS "time",
       (extract(epoch FROM e.at) * 1000)::bigint            AS "timeEnd",
       rollout_annotation_text(r.target, r.version, p.name, p.version, p.mode, p.on_violation, e.action,
                               e.from_percentage, e.to_percentage, e.actor, e.reason, e.details)
                                                            AS text,
       array_to_string(rollout_annotation_tags(p.name, r.target, e.action, r.version, e.rollout_id, e.seq), ',')
                                                            AS tags,
       rollout_annotation_tags(p.name, r.target, e.action, r.version, e.rollout_id, e.seq)
                                                            AS tag_list
FROM deployment_state e
JOIN rollout r ON r.id = e.rollout_id
JOIN plan p ON p.id = r.plan_id;
