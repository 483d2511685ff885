package dev.rollout.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.rollout.history.Action;
import dev.rollout.outbox.RolloutEvent;
import dev.rollout.plan.Mode;
import dev.rollout.plan.ViolationPolicy;
import dev.rollout.gate.GateKind;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateStatus;
import dev.rollout.history.EventDetails;
import dev.rollout.rollout.RolloutState;

class AnnotationTextTest {

    private static RolloutEvent event(Action action, Double from, Double to, String actor, String reason,
            EventDetails details) {
        return new RolloutEvent(7, UUID.randomUUID(), Instant.parse("2026-11-28T10:00:00Z"), action, from, to, actor,
                reason, details, "phase_4_deployment", 2, Mode.AUTOMATIC, ViolationPolicy.ROLLBACK, null,
                "genesis-orchestrator", "v4.0.0",
                new RolloutEvent.Rollout(RolloutState.PROGRESSING, to == null ? 0 : to, 1, Instant.EPOCH, Instant.EPOCH));
    }

    @Test
    void saysWhatHappenedFromWhereToWhereWhoAndWhy() {
        assertEquals("genesis-orchestrator v4.0.0: stepped from 5 % to 10 % by controller",
                AnnotationText.of(event(Action.STEP, 5.0, 10.0, "controller", null,
                        new EventDetails.StepEntered(1, Instant.EPOCH, null, null, "i"))));
        assertEquals("genesis-orchestrator v4.0.0: rolled back from 12.5 % to 0 % by alice. Reason: error budget",
                AnnotationText.of(event(Action.ROLLED_BACK, 12.5, 0.0, "alice", "error budget",
                        new EventDetails.RolledBack(null))));
        assertEquals("genesis-orchestrator v4.0.0: rollout started at 0 % (plan phase_4_deployment v2, AUTOMATIC) by bob",
                AnnotationText.of(event(Action.STARTED, null, 0.0, "bob", null,
                        new EventDetails.Started("phase_4_deployment", 2, "v4.0.0"))));
        assertEquals("genesis-orchestrator v4.0.0: advance from 5 % to 10 % refused: too-early by deploy-bot. "
                        + "retry in 60 s",
                AnnotationText.of(event(Action.ADVANCE_REFUSED, 5.0, 10.0, "deploy-bot", "too-early",
                        new EventDetails.Refused("too-early", "retry in 60 s", Map.of()))));
        assertEquals("genesis-orchestrator v4.0.0: gate violation at 25 %, policy ROLLBACK by controller. "
                        + "Failing gates: app-metrics (FAIL: genesis_tests_total_total absent), no-alerts (ERROR)",
                AnnotationText.of(event(Action.GATE_VIOLATION, 25.0, 25.0, "controller", null,
                        new EventDetails.Violation("ROLLBACK", List.of(
                                gate("orchestrator-up", GateStatus.PASS, null),
                                gate("app-metrics", GateStatus.FAIL, "genesis_tests_total_total absent"),
                                gate("no-alerts", GateStatus.ERROR, null)), "i"))));
    }

    private static GateResult gate(String name, GateStatus status, String detail) {
        return new GateResult(name, GateKind.TARGET_UP, status, detail, Instant.EPOCH, Duration.ZERO);
    }
}
