-- Per-gate policies, shadow gates and gate evidence.

-- A hold: gates in ERROR under onError HOLD. hold_started_at is set while one lasts; dwell_held_micros is what the
-- holds that ended added to the current dwell window (a dwell counts only observed time). shadow_open: a shadow
-- gate's failure is on record and the shadow gates have not all passed since (recorded once, like violation_open).
ALTER TABLE rollout ADD COLUMN hold_started_at timestamptz;
ALTER TABLE rollout ADD COLUMN dwell_held_micros bigint NOT NULL DEFAULT 0 CHECK (dwell_held_micros >= 0);
ALTER TABLE rollout ADD COLUMN shadow_open boolean NOT NULL DEFAULT false;

-- The evidence of the latest result: what was asked, what was observed, what a pass needs.
ALTER TABLE gate_result ADD COLUMN evidence_query text;
ALTER TABLE gate_result ADD COLUMN evidence_observed text;
ALTER TABLE gate_result ADD COLUMN evidence_threshold text;

ALTER TABLE deployment_state DROP CONSTRAINT deployment_state_action_check;
ALTER TABLE deployment_state ADD CONSTRAINT deployment_state_action_check
    CHECK (action IN ('started', 'step', 'advance_refused', 'gate_violation', 'paused', 'resumed', 'rolled_back',
                      'aborted', 'completed', 'override', 'hold_started', 'hold_ended', 'shadow_violation'));

-- "orchestrator-up (FAIL: query up{job="x"}; observed no data; threshold at least one series, every value = 1),
-- error-rate (shadow, ERROR: ...)": the gates of a details.gates list that did not pass, in their order, each
-- with its evidence (its detail for results recorded before evidence was kept); empty when there are none.
CREATE OR REPLACE FUNCTION rollout_failing_gates(details jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(string_agg(
               (g.gate ->> 'name') || ' ('
                   || CASE WHEN (g.gate ->> 'shadow') = 'true' THEN 'shadow, ' ELSE '' END
                   || coalesce(g.gate ->> 'status', 'null')
                   || CASE WHEN jsonb_typeof(g.gate -> 'evidence') = 'object'
                           THEN ': ' || concat_ws('; ',
                                   'query ' || (g.gate -> 'evidence' ->> 'query'),
                                   'observed ' || (g.gate -> 'evidence' ->> 'observed'),
                                   'threshold ' || (g.gate -> 'evidence' ->> 'threshold'))
                           ELSE coalesce(': ' || (g.gate ->> 'detail'), '') END
                   || ')',
               ', ' ORDER BY g.n), '')
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(details -> 'gates') = 'array' THEN details -> 'gates'
                                   ELSE '[]'::jsonb END) WITH ORDINALITY AS g(gate, n)
    WHERE jsonb_typeof(g.gate) = 'object' AND coalesce(g.gate ->> 'status', '') <> 'PASS'
$$;

-- As in V9, plus: a violation names the policy its gates asked for (details.policy; per gate since onFail and
-- onError), holds say when they start and how long they lasted, shadow gates say they are not enforced.
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
               ELSE action
           END
           || ' by ' || actor
           || CASE WHEN action = 'advance_refused' AND jsonb_typeof(details -> 'repeats') = 'number'
                   THEN ', ' || to_char((details ->> 'repeats')::numeric, 'FM999,999,999,999,990')
                        || CASE WHEN (details ->> 'repeats')::numeric = 1 THEN ' more time' ELSE ' more times' END
                        || coalesce(' between ' || rollout_utc(details ->> 'firstAt')
                                    || ' and ' || rollout_utc(details ->> 'lastAt'), '')
                   ELSE '' END
           || CASE WHEN action NOT IN ('advance_refused', 'hold_started', 'hold_ended', 'shadow_violation')
                        AND btrim(coalesce(reason, '')) <> ''
                   THEN '. Reason: ' || reason ELSE '' END
           || CASE WHEN action = 'advance_refused' AND (details ->> 'detail') IS NOT NULL
                   THEN '. ' || (details ->> 'detail') ELSE '' END
           || CASE WHEN rollout_failing_gates(details) <> ''
                   THEN '. ' || CASE WHEN action = 'hold_ended' THEN 'Gates still not passing: '
                                     ELSE 'Failing gates: ' END || rollout_failing_gates(details) ELSE '' END
$$;
