package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.rollout.history.Action;
import dev.rollout.history.EventDetails;
import dev.rollout.history.HistoryEvent;
import dev.rollout.plan.Mode;
import dev.rollout.plan.Plan;
import dev.rollout.plan.PlanStep;
import dev.rollout.plan.ViolationPolicy;

/** The transition a given-up step webhook causes: an active rollout pauses, a finished one is left alone. */
class WebhookUndeliveredTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final EventDetails.WebhookUndelivered GIVEN_UP = new EventDetails.WebhookUndelivered(
            "traffic-router", 7, 0.0, 10.0, 10, "webhook endpoint 'traffic-router' answered 503", "i1");

    private static Rollout rollout() {
        Plan plan = new Plan();
        plan.name = "p";
        plan.version = 1;
        plan.mode = Mode.MANUAL;
        plan.onViolation = ViolationPolicy.PAUSE;
        plan.steps = List.of(new PlanStep(10, "PT1H"), new PlanStep(100, "PT0S"));
        plan.gates = List.of();
        return Rollout.begin(plan, "svc", "v1", T0);
    }

    @Test
    void aProgressingRolloutPausesWithTheReasonAndTheGiveUpInItsDetails() {
        Rollout rollout = rollout();
        HistoryEvent event = rollout.webhookUndelivered(T0.plusSeconds(60), "controller", GIVEN_UP).orElseThrow();
        assertEquals(RolloutState.PAUSED, rollout.state);
        assertEquals(Action.PAUSED, event.action());
        assertEquals("webhook-undelivered", event.reason());
        assertEquals(GIVEN_UP, event.details());
        assertEquals(event.fromPercentage(), event.toPercentage());
    }

    @Test
    void aPausedRolloutRecordsItSoThatItsLatestPauseSaysWhy() {
        Rollout rollout = rollout();
        rollout.pause(T0, "ops", "looking");
        HistoryEvent event = rollout.webhookUndelivered(T0.plusSeconds(60), "controller", GIVEN_UP).orElseThrow();
        assertEquals(RolloutState.PAUSED, rollout.state);
        assertEquals("webhook-undelivered", event.reason());
    }

    @Test
    void aFinishedRolloutHasNothingToPause() {
        Rollout rollout = rollout();
        rollout.rollBack(T0, "ops", "bad");
        assertTrue(rollout.webhookUndelivered(T0.plusSeconds(60), "controller", GIVEN_UP).isEmpty());
        assertEquals(RolloutState.ROLLED_BACK, rollout.state);
    }
}
