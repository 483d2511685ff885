-- Annotation text for the summaries of repeated refusals (V7): one annotation per record says how many calls
-- the record stands for and between which times. Same signature as V5, so the view and the Grafana delivery
-- pick it up unchanged.

-- "2026-03-01 10:00:00 UTC" from an ISO-8601 instant as the controller writes it ("2026-03-01T10:00:00.123Z");
-- null stays null.
CREATE FUNCTION rollout_utc(instant text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(left(instant, 19), 'T', ' ') || ' UTC'
$$;

-- The sentence an annotation shows: what happened, from/to percentage, who, why, and failing gates. As in V5,
-- plus the summary of a run of repeated refusals (details.repeats, firstAt, lastAt; see V7):
-- "advance from 5 % to 10 % refused: too-early by deploy-bot, 1,439 more times between
-- 2026-03-01 10:00:00 UTC and 2026-03-02 09:59:00 UTC".
CREATE OR REPLACE FUNCTION rollout_annotation_text(target text, version text, plan text, plan_version integer, mode text,
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
           || CASE WHEN action = 'advance_refused' AND jsonb_typeof(details -> 'repeats') = 'number'
                   THEN ', ' || to_char((details ->> 'repeats')::numeric, 'FM999,999,999,999,990')
                        || CASE WHEN (details ->> 'repeats')::numeric = 1 THEN ' more time' ELSE ' more times' END
                        || coalesce(' between ' || rollout_utc(details ->> 'firstAt')
                                    || ' and ' || rollout_utc(details ->> 'lastAt'), '')
                   ELSE '' END
           || CASE WHEN action <> 'advance_refused' AND btrim(coalesce(reason, '')) <> ''
                   THEN '. Reason: ' || reason ELSE '' END
           || CASE WHEN action = 'advance_refused' AND (details ->> 'detail') IS NOT NULL
                   THEN '. ' || (details ->> 'detail') ELSE '' END
           || CASE WHEN rollout_failing_gates(details) <> ''
                   THEN '. Failing gates: ' || rollout_failing_gates(details) ELSE '' END
$$;

