package dev.rollout.rollout;

import dev.rollout.plan.ViolationPolicy;

/**
 * What the watch does with one active rollout, given what it saw: the rule, free of I/O. A rollout that
 * needs nothing costs no database work at all.
 */
public final class WatchRules {

    private WatchRules() {}

    public enum WatchAction {
        /** Healthy and not due: nothing to write. */
        NONE,
        /** A gate is violated: record it and apply the plan's policy (pause, or roll back). */
        APPLY_POLICY,
        /** A PAUSED rollout whose gates fail under a PAUSE policy: record the violation, once. */
        RECORD_VIOLATION,
        /** A PAUSED rollout's recorded violation is over (gates pass again): forget it, with no event. */
        CLOSE_VIOLATION,
        /** Healthy and due to move by itself: advance (AUTOMATIC) or complete (final bake over). */
        MOVE
    }

    /** As below, for a rollout whose next step needs no approval it lacks. */
    public static WatchAction decide(RolloutState state, ViolationPolicy policy, boolean gatesPassed,
            boolean violationOpen, boolean mayMoveItself, boolean due) {
        return decide(state, policy, gatesPassed, violationOpen, mayMoveItself, due, false);
    }

    /**
     * @param gatesPassed    every gate passed (true for a plan without gates)
     * @param violationOpen  a violation of this PAUSED rollout is recorded and not over
     * @param mayMoveItself  AUTOMATIC, or at its last step (a final bake completes by itself)
     * @param due            its dwell is over
     * @param awaitingApproval its next step needs an operator's approval it does not have: it never moves by
     *                       itself into that step (and costs no transaction while it waits)
     */
    public static WatchAction decide(RolloutState state, ViolationPolicy policy, boolean gatesPassed,
            boolean violationOpen, boolean mayMoveItself, boolean due, boolean awaitingApproval) {
        if (state == RolloutState.PROGRESSING) {
            if (!gatesPassed) {
                return WatchAction.APPLY_POLICY;
            }
            return mayMoveItself && due && !awaitingApproval ? WatchAction.MOVE : WatchAction.NONE;
        }
        if (state == RolloutState.PAUSED) {
            // A paused rollout still serves its percentage: a violation still counts.
            if (!gatesPassed) {
                return policy == ViolationPolicy.ROLLBACK ? WatchAction.APPLY_POLICY
                        : violationOpen ? WatchAction.NONE : WatchAction.RECORD_VIOLATION;
            }
            return violationOpen ? WatchAction.CLOSE_VIOLATION : WatchAction.NONE;
        }
        return WatchAction.NONE;
    }
}
