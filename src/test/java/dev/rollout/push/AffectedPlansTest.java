package dev.rollout.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.gate.GateDefinition;
import dev.rollout.problem.ApiProblem;

/** Which plans a notification could affect, decided with no I/O. */
class AffectedPlansTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> PAYMENTS_DOWN = Map.of("alertname", "ErrorRate", "team", "payments");

    @Test
    void aGateIsAffectedWhenEveryEqualityMatcherMatchesOneAlert() {
        AffectedPlans affected = AffectedPlans.of(List.of(PAYMENTS_DOWN));
        assertTrue(affected.affects(alertGate("alertname=\"ErrorRate\"", "team=payments")));
        assertTrue(affected.affects(alertGate("team!=search")));
        assertFalse(affected.affects(alertGate("alertname=\"ErrorRate\"", "team=search")));
        assertFalse(affected.affects(alertGate("team!=payments")));
        assertTrue(affected.affects(alertGate("region=\"\"")), "a missing label reads as empty, as in Alertmanager");
    }

    @Test
    void regularExpressionsAreNeverRunSoTheyCountAsCouldMatch() {
        AffectedPlans affected = AffectedPlans.of(List.of(PAYMENTS_DOWN));
        assertTrue(affected.affects(alertGate("severity=~\"warning|critical\"", "team=payments")));
        assertFalse(affected.affects(alertGate("severity=~\"warning|critical\"", "team=search")),
                "an equality matcher that fails still rules the gate out");
    }

    @Test
    void gatesOfOtherKindsAreNotAffected() {
        AffectedPlans affected = AffectedPlans.of(List.of(PAYMENTS_DOWN));
        assertFalse(affected.affects(List.of(GateDefinition.targetUp("up", "up{job=\"payments\"}"))));
        assertFalse(affected.affects(null));
    }

    @Test
    void labelSetsTravelInThePayloadAndTooManyMeanEveryAlertGate() {
        String payload = AffectedPlans.payload(List.of(PAYMENTS_DOWN), JSON);
        AffectedPlans read = AffectedPlans.fromPayload(payload, JSON);
        assertTrue(read.affects(alertGate("team=payments")));
        assertFalse(read.affects(alertGate("team=search")));

        List<Map<String, String>> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(Map.of("alertname", "Alert" + i, "team", "team-" + i));
        }
        assertEquals(AffectedPlans.EVERY_ALERT_GATE, AffectedPlans.payload(many, JSON), "over 8000 bytes");
        assertTrue(AffectedPlans.fromPayload(AffectedPlans.EVERY_ALERT_GATE, JSON).affects(alertGate("team=search")));
        assertTrue(AffectedPlans.fromPayload("not json", JSON).affects(alertGate("team=search")),
                "an unreadable payload errs on looking");
    }

    @Test
    void aNotificationMustBeVersion4WithLabelledAlerts() {
        assertThrows(ApiProblem.class, () -> AffectedPlans.labelSets(null));
        assertThrows(ApiProblem.class, () -> AffectedPlans.labelSets(new AlertmanagerNotification("3", "firing", List.of())));
        assertThrows(ApiProblem.class, () -> AffectedPlans.labelSets(new AlertmanagerNotification("4", "firing", null)));
        List<AlertmanagerNotification.NotifiedAlert> unlabelled = new ArrayList<>();
        unlabelled.add(new AlertmanagerNotification.NotifiedAlert("firing", null));
        assertThrows(ApiProblem.class, () -> AffectedPlans.labelSets(new AlertmanagerNotification("4", "firing", unlabelled)));
        assertEquals(List.of(PAYMENTS_DOWN), AffectedPlans.labelSets(new AlertmanagerNotification("4", "firing",
                List.of(new AlertmanagerNotification.NotifiedAlert("firing", PAYMENTS_DOWN)))));
    }

    private static List<GateDefinition> alertGate(String... matchers) {
        return List.of(GateDefinition.noFiringAlerts("alerts", List.of(matchers)));
    }
}
