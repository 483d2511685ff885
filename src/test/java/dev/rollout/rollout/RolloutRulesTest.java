package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.plan.StepSchedule;
import dev.rollout.rollout.RolloutRules.Command;

class RolloutRulesTest {

    private static final Instant T0 = Instant.parse("2025-10-20T21:32:57Z");
    private static final Duration DAY = Duration.ofHours(24);
    private static final StepSchedule SEED = new StepSchedule(List.of(5.0, 10.0, 25.0, 50.0, 75.0, 100.0),
            List.of(DAY, DAY, DAY, DAY, DAY, Duration.ZERO), Duration.ZERO);

    @Test
    void theFirstStepHasNoDwellBeforeIt() {
        var decision = RolloutRules.advance(RolloutState.PROGRESSING, -1, T0, SEED, T0);
        assertEquals(new RolloutRules.Enter(0, 5.0, T0.plus(DAY), false), decision);
    }

    @Test
    void refusesToLeaveAStepBeforeItsDwellHasElapsed() {
        var decision = RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, SEED, T0.plus(Duration.ofMinutes(5)));
        RolloutRules.TooEarly tooEarly = assertInstanceOf(RolloutRules.TooEarly.class, decision);
        assertEquals(T0.plus(DAY), tooEarly.earliestAdvanceAt());
        assertEquals(DAY.minusMinutes(5), tooEarly.remaining());
        // one microsecond short is still too early; exactly at the boundary is allowed
        assertInstanceOf(RolloutRules.TooEarly.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, SEED, T0.plus(DAY).minusNanos(1000)));
        assertInstanceOf(RolloutRules.Enter.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, SEED, T0.plus(DAY)));
    }

    @Test
    void theIncidentsFiveMinuteLoopIsRefusedAtEveryStep() {
        // The seed's script stepped every five minutes; with 24-hour dwells every one of those calls is refused.
        for (int step = 0; step < 5; step++) {
            Instant now = T0.plus(Duration.ofMinutes(5));
            assertInstanceOf(RolloutRules.TooEarly.class, RolloutRules.advance(RolloutState.PROGRESSING, step, T0, SEED, now));
        }
    }

    @Test
    void enteringAHundredPercentWithNothingToWaitForCompletes() {
        var decision = RolloutRules.advance(RolloutState.PROGRESSING, 4, T0, SEED, T0.plus(DAY));
        assertEquals(new RolloutRules.Enter(5, 100.0, T0.plus(DAY), true), decision);
    }

    @Test
    void theFinalBakeKeepsTheRolloutOpenAtHundredPercent() {
        StepSchedule baked = new StepSchedule(List.of(50.0, 100.0), List.of(DAY, Duration.ofHours(1)),
                Duration.ofHours(2));
        var enter = RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, baked, T0.plus(DAY));
        assertEquals(new RolloutRules.Enter(1, 100.0, T0.plus(DAY).plus(Duration.ofHours(3)), false), enter);
        Instant entered = T0.plus(DAY);
        assertInstanceOf(RolloutRules.TooEarly.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 1, entered, baked, entered.plus(Duration.ofHours(2))));
        assertInstanceOf(RolloutRules.Complete.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 1, entered, baked, entered.plus(Duration.ofHours(3))));
    }

    @Test
    void aDwellCountsOnlyObservedTimeTheHeldTimeMovesItsEndLater() {
        Duration held = Duration.ofMinutes(17);
        // The dwell is over by the clock, but 17 minutes of it were held: 17 more minutes to go.
        var early = RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, held, SEED, T0.plus(DAY), false);
        assertEquals(new RolloutRules.TooEarly(T0.plus(DAY).plus(held), held), early);
        assertInstanceOf(RolloutRules.Enter.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, held, SEED, T0.plus(DAY).plus(held), false));
        assertEquals(T0.plus(DAY).plus(held), SEED.earliestAdvanceAt(0, T0, held));
    }

    @Test
    void theHeldTimeOfADwellIsTheEndedHoldsPlusTheOpenOneSoFar() {
        Duration before = Duration.ofMinutes(5);
        assertEquals(before, RolloutRules.held(before, null, T0));
        assertEquals(before.plusMinutes(3), RolloutRules.held(before, T0, T0.plus(Duration.ofMinutes(3))));
        // A clock reading before the hold's start (never expected) adds nothing rather than shortening the dwell.
        assertEquals(before, RolloutRules.held(before, T0, T0.minusSeconds(1)));
        // While a hold is open, its end keeps moving with the clock: still too early a minute later.
        Instant holdStart = T0.plus(DAY).minus(Duration.ofMinutes(10));
        Instant now = T0.plus(DAY).plus(Duration.ofMinutes(30));
        var decision = RolloutRules.advance(RolloutState.PROGRESSING, 0, T0,
                RolloutRules.held(Duration.ZERO, holdStart, now), SEED, now, false);
        assertEquals(new RolloutRules.TooEarly(now.plus(Duration.ofMinutes(10)), Duration.ofMinutes(10)), decision);
    }

    @Test
    void onlyProgressingRolloutsAdvance() {
        for (RolloutState state : RolloutState.values()) {
            var decision = RolloutRules.advance(state, 0, T0, SEED, T0.plus(Duration.ofDays(30)));
            if (state == RolloutState.PROGRESSING) {
                assertInstanceOf(RolloutRules.Enter.class, decision);
            } else {
                assertEquals(new RolloutRules.NotProgressing(state), decision);
            }
        }
    }

    @Test
    void theStateMachineAllowsExactlyTheseCommands() {
        for (RolloutState state : RolloutState.values()) {
            assertEquals(state == RolloutState.PROGRESSING, RolloutRules.check(Command.PAUSE, state).isEmpty(), "pause " + state);
            assertEquals(state == RolloutState.PAUSED, RolloutRules.check(Command.RESUME, state).isEmpty(), "resume " + state);
            assertEquals(state.isActive(), RolloutRules.check(Command.ROLLBACK, state).isEmpty(), "rollback " + state);
            assertEquals(state.isActive(), RolloutRules.check(Command.ABORT, state).isEmpty(), "abort " + state);
        }
        assertEquals("not-progressing", RolloutRules.check(Command.PAUSE, RolloutState.PAUSED).orElseThrow().refusal().type());
        assertEquals("not-paused", RolloutRules.check(Command.RESUME, RolloutState.PROGRESSING).orElseThrow().refusal().type());
        assertTrue(RolloutRules.check(Command.ABORT, RolloutState.COMPLETED).orElseThrow().detail().contains("COMPLETED"));
    }
}
