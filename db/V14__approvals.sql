-- Approvals: a plan step may need an operator's approval before it is entered (plan steps' "approval": true,
-- the plan's "approvalBy"). The approval of the next step lives on the rollout row, so the locked change
-- that enters the step reads it under the same row lock; the history keeps every approval as an event.

-- NULL: any operator may approve; 'another-operator': anyone but the rollout's starter.
ALTER TABLE plan ADD COLUMN approval_by text CHECK (approval_by IN ('another-operator'));

-- Who started the rollout, as recorded (token name or JWT subject@issuer host): approvalBy compares with it.
ALTER TABLE rollout ADD COLUMN started_by text;
UPDATE rollout r SET started_by = e.actor
  FROM deployment_state e WHERE e.rollout_id = r.id AND e.action = 'started';

-- The approval given for step approved_step (the next one when given); kept through pause and resume,
-- cleared by a rollback. All four are set together or not at all.
ALTER TABLE rollout ADD COLUMN approved_step integer;
ALTER TABLE rollout ADD COLUMN approved_by text;
ALTER TABLE rollout ADD COLUMN approved_at timestamptz;
ALTER TABLE rollout ADD COLUMN approval_reason text;
ALTER TABLE rollout ADD CONSTRAINT rollout_approval_whole
    CHECK ((approved_step IS NULL) = (approved_by IS NULL) AND (approved_by IS NULL) = (approved_at IS NULL)
           AND (approved_at IS NULL) = (approval_reason IS NULL));

ALTER TABLE deployment_state DROP CONSTRAINT deployment_state_action_check;
ALTER TABLE deployment_state ADD CONSTRAINT deployment_state_action_check
    CHECK (action IN ('started', 'step', 'advance_refused', 'gate_violation', 'paused', 'resumed', 'rolled_back',
                      'aborted', 'completed', 'override', 'hold_started', 'hold_ended', 'shadow_violation',
                      'approved'));

-- As in V13, plus 'approved': "approved the step from 10 % to 25 % by alice. Reason: canary is clean".
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
               WHEN 'approved' THEN 'approved the step from ' || rollout_percent(from_percentage) || ' % to '
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
           || CASE WHEN action NOT IN ('advance_refused', 'hold_started', 'hold_ended', 'shadow_violation')
                        AND btrim(coalesce(reason, '')) <> ''
                   THEN '. Reason: ' || reason ELSE '' END
           || CASE WHEN action = 'advance_refused' AND (details ->> 'detail') IS NOT NULL
                   THEN '. ' || (details ->> 'detail') ELSE '' END
           || CASE WHEN rollout_failing_gates(details) <> ''
                   THEN '. ' || CASE WHEN action = 'hold_ended' THEN 'Gates still not passing: '
                                     ELSE 'Failing gates: ' END || rollout_failing_gates(details) ELSE '' END
$$;
