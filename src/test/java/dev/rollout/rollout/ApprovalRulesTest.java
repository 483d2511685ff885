package dev.rollout.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateResponse;
import dev.rollout.plan.Plan;
import dev.rollout.plan.PlanPreview;
import dev.rollout.plan.PlanRequest;
import dev.rollout.plan.PlanStep;
import dev.rollout.plan.PlanValidator;
import dev.rollout.plan.StepSchedule;
import dev.rollout.plan.ViolationPolicy;
import dev.rollout.rollout.WatchRules.WatchAction;

/** Approvals as rules: which refusal wins, who may approve, what the watch does; no database. */
class ApprovalRulesTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    /** 5 % (no approval), 25 % (approval), 100 % (no approval); an hour's dwell each. */
    private static final StepSchedule SCHEDULE = new StepSchedule(List.of(5.0, 25.0, 100.0),
            List.of(HOUR, HOUR, Duration.ZERO), Duration.ZERO, List.of(false, true, false));

    private static RolloutRules.AdvanceDecision advance(RolloutState state, int step, Instant now, Integer approved) {
        return RolloutRules.advance(state, step, T0, SCHEDULE, now, false, approved);
    }

    @Test
    void entersAnApprovalStepOnlyWithItsApproval() {
        assertEquals(new RolloutRules.ApprovalRequired(1, 25.0),
                advance(RolloutState.PROGRESSING, 0, T0.plus(HOUR), null));
        assertEquals(new RolloutRules.ApprovalRequired(1, 25.0),
                advance(RolloutState.PROGRESSING, 0, T0.plus(HOUR), 0), "an approval of another step does not count");
        assertEquals(new RolloutRules.Enter(1, 25.0, T0.plus(HOUR).plus(HOUR), false),
                advance(RolloutState.PROGRESSING, 0, T0.plus(HOUR), 1));
        // a step without approval needs none, and the used approval of the current step is not asked for again
        assertInstanceOf(RolloutRules.Enter.class, advance(RolloutState.PROGRESSING, -1, T0, null));
        assertInstanceOf(RolloutRules.Enter.class, advance(RolloutState.PROGRESSING, 1, T0.plus(HOUR), 1));
    }

    @Test
    void refusalsComeInTheContractsOrder() {
        // not-progressing before too-early before approval-required (gates are asked by the caller, last)
        assertInstanceOf(RolloutRules.NotProgressing.class, advance(RolloutState.PAUSED, 0, T0, null));
        assertInstanceOf(RolloutRules.TooEarly.class, advance(RolloutState.PROGRESSING, 0, T0.plus(Duration.ofMinutes(5)),
                null));
        assertInstanceOf(RolloutRules.ApprovalRequired.class, advance(RolloutState.PROGRESSING, 0, T0.plus(HOUR), null));
    }

    @Test
    void anAdminsOverrideSetsTheApprovalAside() {
        assertInstanceOf(RolloutRules.Enter.class,
                RolloutRules.advance(RolloutState.PROGRESSING, 0, T0, SCHEDULE, T0, true, null));
    }

    @Test
    void whoMayApproveWhat() {
        StepSchedule s = SCHEDULE;
        assertTrue(RolloutRules.checkApprove(RolloutState.PROGRESSING, 0, s, null, "alice", "alice").isEmpty());
        assertTrue(RolloutRules.checkApprove(RolloutState.PAUSED, 0, s, null, "alice", "alice").isEmpty(),
                "a paused rollout can be approved: the approval holds through the resume");
        assertTrue(RolloutRules.checkApprove(RolloutState.PROGRESSING, 0, s, Plan.ANOTHER_OPERATOR, "alice", "bob")
                .isEmpty());
        RolloutRefused self = RolloutRules.checkApprove(RolloutState.PROGRESSING, 0, s, Plan.ANOTHER_OPERATOR, "alice",
                "alice").orElseThrow();
        assertEquals(Refusal.APPROVAL_NOT_ALLOWED, self.refusal());
        assertEquals(403, self.refusal().status());
        // actors are compared as recorded: a JWT subject is not the token of the same name
        assertTrue(RolloutRules.checkApprove(RolloutState.PROGRESSING, 0, s, Plan.ANOTHER_OPERATOR, "alice",
                "alice@id.example.com").isEmpty());
        RolloutRefused notRequired = RolloutRules.checkApprove(RolloutState.PROGRESSING, -1, s, null, "a", "b")
                .orElseThrow();
        assertEquals(Refusal.APPROVAL_NOT_REQUIRED, notRequired.refusal());
        assertEquals(409, notRequired.refusal().status());
        assertEquals(Refusal.APPROVAL_NOT_REQUIRED, RolloutRules.checkApprove(RolloutState.PROGRESSING, 2, s, null,
                "a", "b").orElseThrow().refusal(), "at the last step there is nothing to approve");
        for (RolloutState finished : List.of(RolloutState.COMPLETED, RolloutState.ROLLED_BACK, RolloutState.ABORTED)) {
            assertEquals(Refusal.ALREADY_FINISHED, RolloutRules.checkApprove(finished, 0, s, Plan.ANOTHER_OPERATOR,
                    "alice", "alice").orElseThrow().refusal(), "a finished rollout says so first");
        }
    }

    @Test
    void theWatchNeverMovesARolloutIntoAStepAwaitingApproval() {
        assertEquals(WatchAction.NONE, WatchRules.decide(RolloutState.PROGRESSING, GateResponse.NONE, false, false,
                true, true, true));
        assertEquals(WatchAction.MOVE, WatchRules.decide(RolloutState.PROGRESSING, GateResponse.NONE, false, false,
                true, true, false));
        // a violation is acted on whether or not an approval is awaited
        assertEquals(WatchAction.APPLY_POLICY, WatchRules.decide(RolloutState.PROGRESSING, GateResponse.PAUSE, false,
                false, true, true, true));
        assertTrue(RolloutRules.awaitsApproval(SCHEDULE, 0, null));
        assertFalse(RolloutRules.awaitsApproval(SCHEDULE, 0, 1));
        assertFalse(RolloutRules.awaitsApproval(SCHEDULE, 1, 1));
    }

    @Test
    void plansSayWhichStepsNeedApprovalAndWho() {
        assertNull(new PlanStep(5, "PT1H", false).approval(), "false is stored as no approval");
        assertTrue(new PlanStep(5, "PT1H", true).needsApproval());
        List<PlanRequest.StepRequest> steps = List.of(new PlanRequest.StepRequest(5.0, "PT1H"),
                new PlanRequest.StepRequest(100.0, "PT1H", true));
        PlanRequest ok = new PlanRequest("p", null, "MANUAL", "PAUSE", null, null, steps, null, null,
                Plan.ANOTHER_OPERATOR);
        assertEquals(List.of(), PlanValidator.validate(ok, Set.of()));
        PlanRequest bad = new PlanRequest("p", null, "MANUAL", "PAUSE", null, null, steps, null, null, "anyone");
        assertEquals(List.of("approvalBy: must be 'another-operator' or left out (any operator), got 'anyone'"),
                PlanValidator.validate(bad, Set.of()));
        PlanPreview preview = PlanPreview.of(ok, List.of());
        assertEquals(List.of(false, true), preview.schedule().stream().map(PlanPreview.ScheduledStep::approval).toList());
        assertFalse(preview.warnings().stream().anyMatch(w -> w.code().equals("approval-by-unused")));
        PlanRequest unused = new PlanRequest("p", null, "MANUAL", "PAUSE", null, null,
                List.of(new PlanRequest.StepRequest(100.0, "PT1H")), null, null, Plan.ANOTHER_OPERATOR);
        assertTrue(PlanPreview.of(unused, List.of()).warnings().stream()
                .anyMatch(w -> w.code().equals("approval-by-unused")));
    }
}
