-- The annotation text, unchanged, without running rollout_failing_gates for events that carry no gates.
-- V17 guarded it with "jsonb_typeof(details -> 'gates') = 'array' AND rollout_failing_gates(details) <> ''",
-- but for such events the left side is NULL, not false, and AND must then evaluate the right side: every
-- change's outbox insert ran the function (an aggregate, never inlined, so planned on each call), about 0.05 ms
-- of the database's CPU per change. A CASE tests its conditions in order and stops at the first that holds.
-- AnnotationTextTest keeps the texts, the inlining, and counts the calls.

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
           || CASE WHEN jsonb_typeof(details -> 'gates') IS DISTINCT FROM 'array' THEN ''
                   WHEN rollout_failing_gates(details) = '' THEN ''
                   ELSE '. ' || CASE WHEN action = 'hold_ended' THEN 'Gates still not passing: '
                                     ELSE 'Failing gates: ' END || rollout_failing_gates(details) END
$$;
