package dev.rollout.rollout;

import static dev.rollout.rollout.WatchRules.WatchAction.APPLY_POLICY;
import static dev.rollout.rollout.WatchRules.WatchAction.CLOSE_SHADOW;
import static dev.rollout.rollout.WatchRules.WatchAction.CLOSE_VIOLATION;
import static dev.rollout.rollout.WatchRules.WatchAction.END_HOLD;
import static dev.rollout.rollout.WatchRules.WatchAction.MOVE;
import static dev.rollout.rollout.WatchRules.WatchAction.NONE;
import static dev.rollout.rollout.WatchRules.WatchAction.RECORD_SHADOW;
import static dev.rollout.rollout.WatchRules.WatchAction.RECORD_VIOLATION;
import static dev.rollout.rollout.WatchRules.WatchAction.START_HOLD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateResponse;

class WatchRulesTest {

    private static WatchRules.WatchAction decide(RolloutState state, GateResponse response, boolean violationOpen,
            boolean holdOpen, boolean moves, boolean due) {
        return WatchRules.decide(state, response, violationOpen, holdOpen, moves, due);
    }

    @Test
    void aProgressingRolloutWhoseGatesAskForPauseOrRollbackGetsItWhateverElseHolds() {
        for (GateResponse policy : new GateResponse[] {GateResponse.PAUSE, GateResponse.ROLLBACK}) {
            assertEquals(APPLY_POLICY, decide(RolloutState.PROGRESSING, policy, false, false, true, true));
            assertEquals(APPLY_POLICY, decide(RolloutState.PROGRESSING, policy, false, false, false, false));
            // A hold in progress does not soften it: the failing gate's policy applies.
            assertEquals(APPLY_POLICY, decide(RolloutState.PROGRESSING, policy, false, true, true, true));
        }
    }

    @Test
    void aHealthyProgressingRolloutMovesOnlyWhenItMayAndIsDue() {
        assertEquals(MOVE, decide(RolloutState.PROGRESSING, GateResponse.NONE, false, false, true, true));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, GateResponse.NONE, false, false, true, false));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, GateResponse.NONE, false, false, false, true));
    }

    @Test
    void gatesInErrorHoldAProgressingRolloutOnceAndNeverMoveIt() {
        // The hold is recorded when it starts, not at every tick, and a held rollout never moves, due or not.
        assertEquals(START_HOLD, decide(RolloutState.PROGRESSING, GateResponse.HOLD, false, false, true, true));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, GateResponse.HOLD, false, true, true, true));
        assertEquals(NONE, decide(RolloutState.PROGRESSING, GateResponse.HOLD, false, true, false, false));
    }

    @Test
    void aHoldEndsWhenTheGatesAnswerAndTheMoveWaitsForTheExtendedDwell() {
        // Ending the hold extends the dwell; a due AUTOMATIC rollout is not moved in the same breath.
        assertEquals(END_HOLD, decide(RolloutState.PROGRESSING, GateResponse.NONE, false, true, true, true));
        assertEquals(END_HOLD, decide(RolloutState.PROGRESSING, GateResponse.NONE, false, true, false, false));
    }

    @Test
    void aPausedRolloutStillServesItsPercentage() {
        // ROLLBACK: a violation rolls it back even though it is paused.
        assertEquals(APPLY_POLICY, decide(RolloutState.PAUSED, GateResponse.ROLLBACK, false, false, false, false));
        assertEquals(APPLY_POLICY, decide(RolloutState.PAUSED, GateResponse.ROLLBACK, true, false, false, false));
        // PAUSE: recorded once, then nothing until the gates pass again.
        assertEquals(RECORD_VIOLATION, decide(RolloutState.PAUSED, GateResponse.PAUSE, false, false, true, true));
        assertEquals(NONE, decide(RolloutState.PAUSED, GateResponse.PAUSE, true, false, true, true));
        assertEquals(CLOSE_VIOLATION, decide(RolloutState.PAUSED, GateResponse.NONE, true, false, true, true));
        // HOLD: a paused rollout's dwell restarts on resume, so there is nothing to hold or record.
        assertEquals(NONE, decide(RolloutState.PAUSED, GateResponse.HOLD, false, false, true, true));
        assertEquals(NONE, decide(RolloutState.PAUSED, GateResponse.HOLD, true, false, true, true));
        // A paused rollout never moves by itself.
        assertEquals(NONE, decide(RolloutState.PAUSED, GateResponse.NONE, false, false, true, true));
    }

    @Test
    void finishedRolloutsAreLeftAlone() {
        for (RolloutState state : new RolloutState[] {RolloutState.COMPLETED, RolloutState.ROLLED_BACK,
                RolloutState.ABORTED}) {
            assertEquals(NONE, decide(state, GateResponse.ROLLBACK, false, false, true, true));
            assertEquals(NONE, WatchRules.shadow(state, true, false));
        }
    }

    @Test
    void aFailingShadowGateIsRecordedOnceAndForgottenWhenItPasses() {
        for (RolloutState state : new RolloutState[] {RolloutState.PROGRESSING, RolloutState.PAUSED}) {
            assertEquals(RECORD_SHADOW, WatchRules.shadow(state, true, false));
            assertEquals(NONE, WatchRules.shadow(state, true, true));
            assertEquals(CLOSE_SHADOW, WatchRules.shadow(state, false, true));
            assertEquals(NONE, WatchRules.shadow(state, false, false));
        }
    }
}
