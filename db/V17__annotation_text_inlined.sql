-- The annotation text, unchanged, made cheap enough to build on every change. rollout_annotation_text is a
-- SQL function that PostgreSQL inlines into the statement that reads the rollout_annotation view (the outbox
-- insert of every change) only if everything in it is immutable. Two things were not, so each row ran the
-- function through the SQL-function executor, planning its body again in every statement: about 0.6 ms of the
-- database's CPU for a change whose other statements cost a tenth of that.
--  * text || integer (the plan version) is the stable textanycat: the version is cast to text first.
--  * to_char is stable (formats such as 'G' follow the locale); the refusal count's format uses literal commas,
--    so rollout_grouped, which only ever formats with it, is immutable.
-- rollout_failing_gates (an aggregate, never inlined) now runs only for events that carry gates.
-- AnnotationTextTest keeps the texts; AnnotationInliningTest keeps the view inlined.

CREATE FUNCTION rollout_grouped(value numeric) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(value, 'FM999,999,999,999,990')
$$;

CREATE OR REPLACE FUNCTION rollout_annotation_text(target text, version text, plan text, plan_version integer, mode text,
        on_violation text, action text, from_percentage double precision, to_percentage double precision,
        actor text, reason text, details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT target || ' ' || version || ': ' ||
           CASE action
               WHEN 'started' THEN 'rollout started at 0 % (plan ' || plan || ' v' || plan_version::text || ', ' || mode || ')'
               WHEN 'step' THEN 'stepped from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               WHEN 'advance_refused' THEN 'advance from ' || rollout_percent(from_percentage) || ' %'
                                || CASE WHEN to_percentage IS NULL THEN ''
                                        ELSE ' to ' || rollout_percent(to_percentage) || ' %' END
                                || ' refused: ' || coalesce(reason, 'refused')
               WHEN 'gate_violation' THEN 'gate violation at ' || rollout_percent(from_percentage) || ' %, policy '
                                || coalesce(details ->> 'policy', on_violation)
               WHEN 'paused' THEN 'paused at ' || rollout_percent(from_percentage) || ' %'
               WHEN 'resumed' THEN 'resumed at ' || rollout_percent(from_percentage) || ' %; a fresh dwell starts'
               WHEN 'rolled_back' THEN 'rolled back from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               WHEN 'aborted' THEN 'aborted at ' || rollout_percent(from_percentage) || ' %'
               WHEN 'completed' THEN 'completed at ' || rollout_percent(to_percentage) || ' %'
               WHEN 'override' THEN 'override from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               WHEN 'hold_started' THEN 'holding at ' || rollout_percent(from_percentage)
                                || ' %: gates in ERROR, no advance, and the dwell does not count until they answer'
               WHEN 'hold_ended' THEN 'hold at ' || rollout_percent(from_percentage) || ' % over after '
                                || coalesce(details ->> 'heldSeconds', '?') || ' s; the dwell is extended by it'
                                || coalesce(' and ends at ' || rollout_utc(details ->> 'earliestAdvanceAt'), '')
               WHEN 'shadow_violation' THEN 'shadow gate not passing at ' || rollout_percent(from_percentage)
                                || ' % (not enforced: nothing blocked)'
               WHEN 'approved' THEN 'approved the step from ' || rollout_percent(from_percentage) || ' % to '
                                || rollout_percent(to_percentage) || ' %'
               ELSE action
           END
           || ' by ' || actor
           || CASE WHEN action = 'advance_refused' AND jsonb_typeof(details -> 'repeats') = 'number'
                   THEN ', ' || rollout_grouped((details ->> 'repeats')::numeric)
                        || CASE WHEN (details ->> 'repeats')::numeric = 1 THEN ' more time' ELSE ' more times' END
                        || coalesce(' between ' || rollout_utc(details ->> 'firstAt')
                                    || ' and ' || rollout_utc(details ->> 'lastAt'), '')
                   ELSE '' END
           || CASE WHEN action NOT IN ('advance_refused', 'hold_started', 'hold_ended', 'shadow_violation')
                        AND btrim(coalesce(reason, '')) <> ''
                   THEN '. Reason: ' || reason ELSE '' END
           || CASE WHEN action = 'advance_refused' AND (details ->> 'detail') IS NOT NULL
                   THEN '. ' || (details ->> 'detail') ELSE '' END
           || CASE WHEN jsonb_typeof(details -> 'gates') = 'array' AND rollout_failing_gates(details) <> ''
                   THEN '. ' || CASE WHEN action = 'hold_ended' THEN 'Gates still not passing: '
                                     ELSE 'Failing gates: ' END || rollout_failing_gates(details) ELSE '' END
$$;
