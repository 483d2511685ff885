package dev.rollout.rollout;

import static dev.rollout.rollout.WatchRules.WatchAction.APPLY_POLICY;
import static dev.rollout.rollout.WatchRules.WatchAction.CLOSE_VIOLATION;
import static dev.rollout.rollout.WatchRules.WatchAction.MOVE;
import static dev.rollout.rollout.WatchRules.WatchAction.NONE;
import static dev.rollout.rollout.WatchRules.WatchAction.RECORD_VIOLATION;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.rollout.plan.ViolationPolicy;

class WatchRulesTest {

    private static WatchRules.WatchAction decide(RolloutState state, ViolationPolicy policy, boolean passed,
            boolean open, boolean moves, boolean due) {
        return WatchRules.decide(state, policy, passed, open, moves, due);
    }

    @Test
    void aProgressingRolloutWithAFailingGateGetsItsPolicyWhateverElseHolds() {
        for (ViolationPolicy policy : ViolationPolicy.values()) {
            assertEquals(APPLY_POLICY, decide(RolloutState.PROGRESSING, policy, false, false, true, true));
            assertEquals(APPLY_POLICY, decide(RolloutState.PROGRESSING, policy, false, false, false, false));
        }
    }

    @Test
    void aHealthyProgressingRolloutMovesOnlyWhenItMayAndIsDue() {
        assertEquals(MOVE, decide(RolloutState.PROGRESSING, ViolationPolicy.PAUSE, true, false, true, true));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, ViolationPolicy.PAUSE, true, false, true, false));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, ViolationPolicy.PAUSE, true, false, false, true));
    }

    @Test
    void aPausedRolloutStillServesItsPercentage() {
        // ROLLBACK: a violation rolls it back even though it is paused.
        assertEquals(APPLY_POLICY, decide(RolloutState.PAUSED, ViolationPolicy.ROLLBACK, false, false, false, false));
        assertEquals(APPLY_POLICY, decide(RolloutState.PAUSED, ViolationPolicy.ROLLBACK, false, true, false, false));
        // PAUSE: recorded once, then nothing until the gates pass again.
        assertEquals(RECORD_VIOLATION, decide(RolloutState.PAUSED, ViolationPolicy.PAUSE, false, false, true, true));
        assertEquals(NONE, decide(RolloutState.PAUSED, ViolationPolicy.PAUSE, false, true, true, true));
        assertEquals(CLOSE_VIOLATION, decide(RolloutState.PAUSED, ViolationPolicy.PAUSE, true, true, true, true));
        // A paused rollout never moves by itself.
        assertEquals(NONE, decide(RolloutState.PAUSED, ViolationPolicy.PAUSE, true, false, true, true));
    }

    @Test
    void finishedRolloutsAreLeftAlone() {
        for (RolloutState state : new RolloutState[] {RolloutState.COMPLETED, RolloutState.ROLLED_BACK,
                RolloutState.ABORTED}) {
            assertEquals(NONE, decide(state, ViolationPolicy.ROLLBACK, false, false, true, true));
        }
    }
}
