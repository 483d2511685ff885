package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.rollout.freeze.FreezeRules;
import dev.rollout.plan.AdvanceWindow;
import dev.rollout.plan.AdvanceWindows;
import dev.rollout.plan.StepSchedule;
import dev.rollout.rollout.RolloutRules.AdvanceDecision;
import dev.rollout.rollout.RolloutRules.Holds;

/**
 * Which refusal wins when several apply (not-progressing, frozen, outside-window, too-early), what an override
 * sets aside, and what freezes and windows hold: the rule, with no database.
 */
class RefusalOrderTest {

    /** Saturday noon, UTC. */
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final StepSchedule SCHEDULE = new StepSchedule(List.of(5.0, 100.0),
            List.of(Duration.ofHours(1), Duration.ofHours(1)), Duration.ZERO);
    private static final Instant FREEZE_END = Instant.parse("2026-11-28T20:00:00Z");
    private static final Optional<FreezeRules.Cover> FROZEN = Optional.of(new FreezeRules.Cover(FREEZE_END,
            List.of("weekend")));
    /** Weekdays only: closed now, opens Monday 09:00 UTC. */
    private static final AdvanceWindows WEEKDAYS = AdvanceWindows.of(List.of(new AdvanceWindow(
            List.of("MON", "TUE", "WED", "THU", "FRI"), "09:00", "17:00", "UTC")));
    /** At step 0 (5 %), entered half an hour ago: too early too. */
    private static final Instant DWELL_STARTED = NOW.minus(Duration.ofMinutes(30));

    private static List<AdvanceDecision> refusals(RolloutState state, int step, Instant dwellStarted, Holds holds) {
        return RolloutRules.refusals(state, step, dwellStarted, SCHEDULE, NOW, holds);
    }

    @Test
    void theContractsOrderNotProgressingFrozenOutsideWindowTooEarly() {
        Holds everything = new Holds(FROZEN, WEEKDAYS);
        assertEquals(List.of(new RolloutRules.NotProgressing(RolloutState.PAUSED)),
                refusals(RolloutState.PAUSED, 0, DWELL_STARTED, everything), "not-progressing is final: alone");
        List<AdvanceDecision> all = refusals(RolloutState.PROGRESSING, 0, DWELL_STARTED, everything);
        assertEquals(3, all.size());
        assertEquals(new RolloutRules.Frozen(FREEZE_END, List.of("weekend"), Duration.ofHours(8)), all.get(0));
        assertEquals(new RolloutRules.OutsideWindow(Instant.parse("2026-11-30T09:00:00Z"),
                Duration.between(NOW, Instant.parse("2026-11-30T09:00:00Z"))), all.get(1));
        assertInstanceOf(RolloutRules.TooEarly.class, all.get(2));
        assertEquals(all.get(0), RolloutRules.advance(RolloutState.PROGRESSING, 0, DWELL_STARTED, SCHEDULE, NOW,
                everything, false), "the first refusal is the answer");
        assertInstanceOf(RolloutRules.OutsideWindow.class, RolloutRules.advance(RolloutState.PROGRESSING, 0,
                DWELL_STARTED, SCHEDULE, NOW, new Holds(Optional.empty(), WEEKDAYS), false));
    }

    @Test
    void anOverrideSetsAsideEverythingButTheState() {
        Holds everything = new Holds(FROZEN, WEEKDAYS);
        assertInstanceOf(RolloutRules.Enter.class, RolloutRules.advance(RolloutState.PROGRESSING, 0, DWELL_STARTED,
                SCHEDULE, NOW, everything, true));
        assertInstanceOf(RolloutRules.NotProgressing.class, RolloutRules.advance(RolloutState.PAUSED, 0,
                DWELL_STARTED, SCHEDULE, NOW, everything, true));
    }

    @Test
    void aFreezeHoldsCompletionButAWindowDoesNot() {
        Instant longAgo = NOW.minus(Duration.ofDays(1));
        assertInstanceOf(RolloutRules.Frozen.class, RolloutRules.advance(RolloutState.PROGRESSING, 1, longAgo,
                SCHEDULE, NOW, new Holds(FROZEN, AdvanceWindows.ALWAYS), false));
        assertInstanceOf(RolloutRules.Complete.class, RolloutRules.advance(RolloutState.PROGRESSING, 1, longAgo,
                SCHEDULE, NOW, new Holds(Optional.empty(), WEEKDAYS), false),
                "completing the last step changes no traffic: windows do not hold it");
        assertInstanceOf(RolloutRules.OutsideWindow.class, RolloutRules.advance(RolloutState.PROGRESSING, -1,
                longAgo, SCHEDULE, NOW, new Holds(Optional.empty(), WEEKDAYS), false),
                "the first step is entered only inside a window too");
    }

    @Test
    void aFreezeThatEndedHoldsNothingAndDwellKeepsCountingOutsideWindows() {
        Optional<FreezeRules.Cover> ended = Optional.of(new FreezeRules.Cover(NOW, List.of("over")));
        assertEquals(List.of(), refusals(RolloutState.PROGRESSING, 0, NOW.minus(Duration.ofHours(2)),
                new Holds(ended, AdvanceWindows.ALWAYS)));
        // entered on Saturday, dwell over by Monday's opening: the step is entered at the opening, not an hour later
        Instant monday = Instant.parse("2026-11-30T09:00:00Z");
        assertInstanceOf(RolloutRules.Enter.class, RolloutRules.advance(RolloutState.PROGRESSING, 0, NOW, SCHEDULE,
                monday, new Holds(Optional.empty(), WEEKDAYS), false));
    }
}
