package dev.rollout.grafana;

import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.plan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.step;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.rollout.clock.RolloutClock;
import dev.rollout.gate.GateKind;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateStatus;
import dev.rollout.history.EventDetails;
import dev.rollout.history.HistoryEvent;
import dev.rollout.history.History;
import dev.rollout.support.Api;
import dev.rollout.support.GrafanaStub;
import dev.rollout.support.GrafanaStubResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/** Every kind of history event becomes exactly one annotation of the shape Grafana's API expects. */
@QuarkusTest
class GrafanaAnnotationsTest {

    @Inject
    History history;

    @Inject
    RolloutClock clock;

    @AfterEach
    void resetStub() {
        GrafanaStubResource.stub().reset();
    }

    @Test
    void everyEventKindBecomesOneCorrectlyShapedAnnotation() {
        GrafanaStub grafana = GrafanaStubResource.stub();
        String planName = unique("annotated");
        createPlan(plan(planName, "MANUAL", "PAUSE", seedSteps("PT1H")));
        String target = unique("svc");
        String a = startRollout(planName, target);                      // started
        Api.advance(a).then().statusCode(200);                          // step 0 -> 5
        Api.advance(a).then().statusCode(409);                          // advance_refused (too-early)
        Api.command(a, "pause", "error budget burn").then().statusCode(200);  // paused
        Api.command(a, "resume", null).then().statusCode(200);          // resumed
        recordGateViolation(a);                                          // gate_violation (recorded by gates)
        Api.command(a, "rollback", "p99 latency doubled").then().statusCode(200); // rolled_back

        String instant = createPlan(plan(unique("instant"), "MANUAL", "PAUSE",
                List.of(step(50, "PT0S"), step(100, "PT0S"))));
        String b = startRollout(instant, unique("svc"));
        Api.advance(b).then().statusCode(200);                          // step 0 -> 50
        Api.advance(b).then().statusCode(200);                          // step 50 -> 100, completed
        String c = Api.startManualRollout("PT1H");
        Api.command(c, "abort", "wrong build").then().statusCode(200);  // aborted

        List<Map<String, Object>> events = new ArrayList<>();
        for (String id : List.of(a, b, c)) {
            Api.history(id).forEach(e -> {
                Map<String, Object> withId = new java.util.HashMap<>(e);
                withId.put("rolloutId", id);
                events.add(withId);
            });
        }
        Set<String> kinds = events.stream().map(e -> (String) e.get("action")).collect(Collectors.toSet());
        assertEquals(Set.of("started", "step", "advance_refused", "paused", "resumed", "gate_violation",
                "rolled_back", "completed", "aborted"), kinds);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (Map<String, Object> e : events) {
                assertEquals(1, grafana.annotationsTagged("rollout:" + e.get("rolloutId"), "event:" + e.get("seq")).size(),
                        "one annotation for " + e);
            }
        });
        for (Map<String, Object> e : events) {
            String rolloutId = (String) e.get("rolloutId");
            GrafanaStub.Stored annotation = grafana.annotationsTagged("rollout:" + rolloutId, "event:" + e.get("seq")).get(0);
            String action = (String) e.get("action");
            assertTrue(annotation.has("rollout"), annotation.tags().toString());
            assertTrue(annotation.has("action:" + action), annotation.tags().toString());
            assertTrue(annotation.tags().stream().anyMatch(t -> t.startsWith("plan:")), annotation.tags().toString());
            assertTrue(annotation.tags().stream().anyMatch(t -> t.startsWith("target:")), annotation.tags().toString());
            assertEquals(Instant.parse((String) e.get("at")).toEpochMilli(), annotation.time());
            assertTrue(annotation.text().contains(" by " + e.get("actor")), annotation.text());
            JsonNode body = annotation.body();
            assertTrue(body.get("time").isIntegralNumber());
            assertTrue(body.get("tags").isArray());
        }
        // Texts a person understands: what happened, from/to, who, why, failing gates.
        assertEquals(Set.of("rollout", "plan:" + planName, "target:" + target, "action:step", "version:v1.0.0",
                "rollout:" + a), Set.copyOf(only(grafana, a, "step").tags().subList(0, 6)));
        assertTrue(only(grafana, a, "step").text().contains("stepped from 0 % to 5 % by bootstrap-admin"));
        assertTrue(only(grafana, a, "advance_refused").text().contains("refused: too-early"));
        assertTrue(only(grafana, a, "paused").text().contains("paused at 5 % by bootstrap-admin. Reason: error budget burn"));
        assertTrue(only(grafana, a, "gate_violation").text().contains("Failing gates: orchestrator-up (FAIL: no series)"));
        assertTrue(only(grafana, a, "rolled_back").text().contains("rolled back from 5 % to 0 %"));
        assertTrue(only(grafana, b, "completed").text().contains("completed at 100 %"));

        assertEquals(List.of(), grafana.shapeErrors());
        assertTrue(grafana.requests().stream().allMatch(r -> ("Bearer " + GrafanaStub.TOKEN).equals(r.authorization())));
        assertTrue(grafana.requests().stream().filter(r -> r.method().equals("POST"))
                .allMatch(r -> r.contentType().startsWith("application/json")));
    }

    private static GrafanaStub.Stored only(GrafanaStub grafana, String rolloutId, String action) {
        List<GrafanaStub.Stored> found = grafana.annotationsTagged("rollout:" + rolloutId, "action:" + action);
        assertEquals(1, found.size(), action + " of " + rolloutId);
        return found.get(0);
    }

    private void recordGateViolation(String rolloutId) {
        Instant at = Instant.now();
        List<GateResult> gates = List.of(
                new GateResult("orchestrator-up", GateKind.TARGET_UP, GateStatus.FAIL, "no series", at, Duration.ZERO),
                new GateResult("no-alerts", GateKind.NO_FIRING_ALERTS, GateStatus.PASS, null, at, Duration.ZERO));
        QuarkusTransaction.requiringNew().run(() -> history.append(new HistoryEvent(UUID.fromString(rolloutId), 5.0,
                5.0, "controller", "gates failing", new EventDetails.Violation("PAUSE", gates, null)), clock.now()));
    }
}
