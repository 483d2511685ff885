package dev.rollout.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What a report's results ask for under per-gate policies: precedence, HOLD by default, shadow gates. */
class GateResponseTest {

    private static final GateDefinition UP = GateDefinition.targetUp("up", "up{job=\"a\"}");
    private static final GateDefinition ALERTS = GateDefinition.noFiringAlerts("alerts", List.of("severity=\"page\""));
    private static final GateDefinition ERRORS = GateDefinition.queryThreshold("errors", "err", "< 0.01");

    private static GateResult result(GateDefinition gate, GateStatus status) {
        return new GateResult(gate.name(), gate.kind(), status, "detail", Instant.EPOCH, null, gate.shadowed(),
                GateEvidence.of(gate, "seen"));
    }

    private static GateResponse response(List<GateDefinition> gates, GateResponse planOnFail, GateStatus... statuses) {
        List<GateResult> results = new java.util.ArrayList<>();
        for (int i = 0; i < gates.size(); i++) {
            results.add(result(gates.get(i), statuses[i]));
        }
        return new GateReport(results).response(gates, planOnFail);
    }

    @Test
    void passingGatesAskForNothing() {
        assertEquals(GateResponse.NONE, response(List.of(UP, ALERTS), GateResponse.ROLLBACK, GateStatus.PASS,
                GateStatus.PASS));
        assertEquals(GateResponse.NONE, GateReport.NONE.response(List.of(), GateResponse.PAUSE));
    }

    @Test
    void aFailingGateAsksForItsOwnOnFailElseThePlans() {
        assertEquals(GateResponse.PAUSE, response(List.of(UP), GateResponse.PAUSE, GateStatus.FAIL));
        assertEquals(GateResponse.ROLLBACK, response(List.of(UP), GateResponse.ROLLBACK, GateStatus.FAIL));
        assertEquals(GateResponse.ROLLBACK, response(List.of(UP.withPolicies("ROLLBACK", null)), GateResponse.PAUSE,
                GateStatus.FAIL));
        assertEquals(GateResponse.PAUSE, response(List.of(UP.withPolicies("PAUSE", null)), GateResponse.ROLLBACK,
                GateStatus.FAIL));
    }

    @Test
    void aGateInErrorHoldsByDefaultWhateverThePlanSays() {
        // The behaviour change: a plan with onViolation ROLLBACK no longer rolls back on a monitoring outage.
        assertEquals(GateResponse.HOLD, response(List.of(UP), GateResponse.ROLLBACK, GateStatus.ERROR));
        assertEquals(GateResponse.PAUSE, response(List.of(UP.withPolicies(null, "PAUSE")), GateResponse.ROLLBACK,
                GateStatus.ERROR));
        assertEquals(GateResponse.ROLLBACK, response(List.of(UP.withPolicies(null, "ROLLBACK")), GateResponse.PAUSE,
                GateStatus.ERROR));
        // onFail says nothing about ERROR.
        assertEquals(GateResponse.HOLD, response(List.of(UP.withPolicies("ROLLBACK", null)), GateResponse.PAUSE,
                GateStatus.ERROR));
    }

    @Test
    void theStrongestAskWinsRollbackOverPauseOverHold() {
        List<GateDefinition> gates = List.of(UP, ALERTS.withPolicies("ROLLBACK", null), ERRORS);
        assertEquals(GateResponse.ROLLBACK, response(gates, GateResponse.PAUSE, GateStatus.FAIL, GateStatus.FAIL,
                GateStatus.ERROR));
        assertEquals(GateResponse.ROLLBACK, response(gates, GateResponse.PAUSE, GateStatus.ERROR, GateStatus.FAIL,
                GateStatus.PASS));
        assertEquals(GateResponse.PAUSE, response(gates, GateResponse.PAUSE, GateStatus.FAIL, GateStatus.PASS,
                GateStatus.ERROR));
        assertEquals(GateResponse.HOLD, response(gates, GateResponse.PAUSE, GateStatus.ERROR, GateStatus.PASS,
                GateStatus.ERROR));
        assertEquals(GateResponse.ROLLBACK, GateResponse.PAUSE.max(GateResponse.ROLLBACK));
        assertEquals(GateResponse.PAUSE, GateResponse.PAUSE.max(GateResponse.HOLD));
        assertEquals(GateResponse.HOLD, GateResponse.NONE.max(GateResponse.HOLD));
    }

    @Test
    void aShadowGateNeverBlocksAndNeverAsksForAPolicy() {
        GateDefinition shadow = ERRORS.withPolicies("ROLLBACK", "ROLLBACK").asShadow();
        List<GateDefinition> gates = List.of(UP, shadow);
        for (GateStatus status : new GateStatus[] {GateStatus.FAIL, GateStatus.ERROR}) {
            GateReport report = new GateReport(List.of(result(UP, GateStatus.PASS), result(shadow, status)));
            assertTrue(report.passed(), "a shadow gate must not block: " + status);
            assertEquals(List.of(), report.failing());
            assertEquals(GateResponse.NONE, report.response(gates, GateResponse.ROLLBACK));
            assertEquals(List.of("errors"), report.shadowFailing().stream().map(GateResult::name).toList());
            assertEquals("errors " + status, report.shadowSummary());
        }
        GateReport both = new GateReport(List.of(result(UP, GateStatus.FAIL), result(shadow, GateStatus.FAIL)));
        assertFalse(both.passed());
        assertEquals("up FAIL", both.failingSummary());
        assertEquals(GateResponse.PAUSE, both.response(gates, GateResponse.PAUSE));
    }

    @Test
    void evidenceNamesWhatWasAskedAndWhatAPassNeeds() {
        assertEquals(new GateEvidence("up{job=\"a\"}", "no data", "at least one series, every value = 1"),
                GateEvidence.of(UP, "no data"));
        assertEquals(new GateEvidence("alerts matching severity=\"page\"", "1 firing alert: X",
                "no active, unsilenced, uninhibited alert"), GateEvidence.of(ALERTS, "1 firing alert: X"));
        assertEquals(new GateEvidence("max of err", "0.5", "< 0.01"),
                GateEvidence.of(ERRORS.withAggregate("max"), "0.5"));
        assertEquals(new GateEvidence("m1, m2", "m1: no data", "at least one series of each"),
                GateEvidence.of(GateDefinition.metricsPresent("m", List.of("m1", "m2")), "m1: no data"));
    }
}
