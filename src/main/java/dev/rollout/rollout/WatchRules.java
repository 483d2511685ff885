package dev.rollout.rollout;

import dev.rollout.gate.GateResponse;

/**
 * What the watch does with one active rollout, given what it saw: the rule, free of I/O. A rollout that
 * needs nothing costs no database work at all; every other action is a change of state, written once
 * (a monitoring outage costs each rollout one write when it starts and one when it ends, not one per tick).
 */
public final class WatchRules {

    private WatchRules() {}

    public enum WatchAction {
        /** Healthy and not due, or nothing new: nothing to write. */
        NONE,
        /** A gate is violated and asks for PAUSE or ROLLBACK: record it and apply that policy. */
        APPLY_POLICY,
        /** A PAUSED rollout whose failing gates ask for PAUSE: record the violation, once. */
        RECORD_VIOLATION,
        /** A PAUSED rollout's recorded violation is over (gates pass again): forget it, with no event. */
        CLOSE_VIOLATION,
        /** Healthy and due to move by itself: advance (AUTOMATIC) or complete (final bake over). */
        MOVE,
        /** Gates in ERROR ask only to HOLD: record that the hold starts; the dwell stops counting. */
        START_HOLD,
        /** The hold is over: record how long it lasted and extend the dwell by it. */
        END_HOLD,
        /** A shadow gate does not pass: record it, once; nothing is enforced. */
        RECORD_SHADOW,
        /** The shadow gates pass again: forget the recorded failure, with no event. */
        CLOSE_SHADOW
    }

    /** As below, for a rollout whose next step needs no approval it lacks. */
    public static WatchAction decide(RolloutState state, GateResponse response, boolean violationOpen,
            boolean holdOpen, boolean mayMoveItself, boolean due) {
        return decide(state, response, violationOpen, holdOpen, mayMoveItself, due, false);
    }

    /**
     * @param response       what the enforced gates ask for ({@link GateResponse#NONE}: every one passes, or the
     *                       plan has none); shadow gates never count
     * @param violationOpen  a violation of this PAUSED rollout is recorded and not over
     * @param holdOpen       a hold of this PROGRESSING rollout is recorded and not over
     * @param mayMoveItself  AUTOMATIC, or at its last step (a final bake completes by itself)
     * @param due            its dwell is over
     * @param awaitingApproval its next step needs an operator's approval it does not have: it never moves by
     *                       itself into that step (and costs no transaction while it waits)
     */
    public static WatchAction decide(RolloutState state, GateResponse response, boolean violationOpen,
            boolean holdOpen, boolean mayMoveItself, boolean due, boolean awaitingApproval) {
        if (state == RolloutState.PROGRESSING) {
            switch (response) {
                case ROLLBACK:
                case PAUSE:
                    return WatchAction.APPLY_POLICY;
                case HOLD:
                    return holdOpen ? WatchAction.NONE : WatchAction.START_HOLD;
                default:
                    if (holdOpen) {
                        return WatchAction.END_HOLD; // moving waits for the next tick, with the dwell extended
                    }
                    return mayMoveItself && due && !awaitingApproval ? WatchAction.MOVE : WatchAction.NONE;
            }
        }
        if (state == RolloutState.PAUSED) {
            // A paused rollout still serves its percentage: a violation still counts. Its dwell restarts on
            // resume, so a HOLD has nothing to extend and records nothing.
            switch (response) {
                case ROLLBACK:
                    return WatchAction.APPLY_POLICY;
                case PAUSE:
                    return violationOpen ? WatchAction.NONE : WatchAction.RECORD_VIOLATION;
                case HOLD:
                    return WatchAction.NONE;
                default:
                    return violationOpen ? WatchAction.CLOSE_VIOLATION : WatchAction.NONE;
            }
        }
        return WatchAction.NONE;
    }

    /**
     * What the shadow gates need, apart from {@link #decide}: a failure is recorded once, and forgotten once they
     * all pass again. Never a change of state or percentage.
     */
    public static WatchAction shadow(RolloutState state, boolean shadowFailing, boolean shadowOpen) {
        if (!state.isActive()) {
            return WatchAction.NONE;
        }
        if (shadowFailing) {
            return shadowOpen ? WatchAction.NONE : WatchAction.RECORD_SHADOW;
        }
        return shadowOpen ? WatchAction.CLOSE_SHADOW : WatchAction.NONE;
    }
}
