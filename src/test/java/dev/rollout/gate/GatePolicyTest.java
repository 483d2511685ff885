package dev.rollout.gate;

import static dev.rollout.support.Api.advance;
import static dev.rollout.support.Api.command;
import static dev.rollout.support.Api.createPlan;
import static dev.rollout.support.Api.seedSteps;
import static dev.rollout.support.Api.startRollout;
import static dev.rollout.support.Api.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.Metrics;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.TestClock;
import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.monitoring.MonitoringStack;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Per-gate policies against the real Prometheus: a monitoring outage holds (no pause, no advance, the dwell
 * extended by the outage), ROLLBACK wins over PAUSE, a shadow gate is recorded and shown but never blocks, and
 * every result that reaches the history or an annotation carries its evidence. The scheduled watch is held:
 * each test runs the ticks itself and moves the {@link TestClock}.
 */
@QuarkusTest
class GatePolicyTest {

    private static final String UP_QUERY = "up{job=\"" + MonitoringResource.JOB + "\"}";

    @Inject
    GateEvaluator gates;

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    @Inject
    EntityManager em;

    private final List<String> started = new ArrayList<>();
    private FakeTarget target;
    private MonitoringStack monitoring;

    @BeforeEach
    void healthyAndHeld() {
        watch.hold();
        target = MonitoringResource.target();
        monitoring = MonitoringResource.stack();
        monitoring.startPrometheus();
        MonitoringResource.healthy(target);
        awaitStatus(GateDefinition.targetUp("up", UP_QUERY), GateStatus.PASS);
    }

    @AfterEach
    void cleanUp() {
        clock.reset();
        for (String id : started) {
            command(id, "abort", "test over");
        }
        monitoring.startPrometheus();
        MonitoringResource.healthy(target);
        watch.release();
    }

    private static Map<String, Object> gate(String name, String query, Map<String, Object> options) {
        Map<String, Object> gate = new HashMap<>(Map.of("name", name, "kind", "target-up", "query", query));
        gate.putAll(options);
        return gate;
    }

    private String start(String onViolation, List<Map<String, Object>> gateList) {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("policy"), "MANUAL", onViolation, seedSteps("PT1H")));
        plan.put("gates", gateList);
        String id = startRollout(createPlan(plan), unique(MonitoringResource.JOB));
        started.add(id);
        return id;
    }

    private void awaitStatus(GateDefinition gate, GateStatus status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> gates.evaluate(List.of(gate)).get(0).status() == status);
    }

    private static List<Map<String, Object>> events(String id, String action) {
        return Api.history(id).stream().filter(e -> e.get("action").equals(action)).toList();
    }

    private static Map<String, Object> only(String id, String action) {
        List<Map<String, Object>> events = events(id, action);
        assertEquals(1, events.size(), () -> "one " + action + " event expected in " + Api.history(id));
        return events.get(0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> gateIn(Map<String, Object> event, String name) {
        List<Map<String, Object>> results = (List<Map<String, Object>>) ((Map<String, Object>) event.get("details"))
                .get("gates");
        return results.stream().filter(g -> g.get("name").equals(name)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> evidence(Map<String, Object> result) {
        return (Map<String, Object>) result.get("evidence");
    }

    private static Instant earliestAdvanceAt(String id) {
        return Instant.parse(Api.get(id).path("earliestAdvanceAt"));
    }

    /** The annotation texts of the rollout's events of {@code action}, as the view serves them to Grafana. */
    private List<String> annotations(String id, String action) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select text from rollout_annotation where rollout_id = ?1 and action = ?2 order by seq", String.class)
                .setParameter(1, UUID.fromString(id)).setParameter(2, action).getResultList());
    }

    @Test
    void prometheusDownDuringADwellHoldsWithoutPausingAndExtendsTheDwellByTheOutage() {
        String id = start("ROLLBACK", List.of(gate("orchestrator-up", UP_QUERY, Map.of())));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Instant planned = earliestAdvanceAt(id);
        clock.advance(Duration.ofMinutes(20)); // 20 observed minutes of the hour

        monitoring.stopPrometheus();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.ERROR);
        watch.tick();
        watch.tick(); // still in ERROR: nothing more is recorded
        // The plan says ROLLBACK, but that is for a FAIL: an outage holds (no pause, no rollback).
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(5.0f))
                .body("heldSince", notNullValue());
        Map<String, Object> hold = only(id, "hold_started");
        assertEquals(RolloutWatch.ACTOR, hold.get("actor"));
        Map<String, Object> error = gateIn(hold, "orchestrator-up");
        assertEquals("ERROR", error.get("status"));
        assertTrue(((String) evidence(error).get("observed")).contains("connection refused"), error.toString());
        assertEquals(UP_QUERY, evidence(error).get("query"));

        // The outage lasts 70 minutes of database time: past the planned end of the dwell, yet no advance.
        clock.advance(Duration.ofMinutes(70));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"))
                .body("heldSince", notNullValue()).header("Retry-After", notNullValue());
        watch.tick();

        monitoring.startPrometheus();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.PASS);
        watch.tick();
        watch.tick();
        Map<String, Object> ended = only(id, "hold_ended");
        long heldSeconds = ((Number) ((Map<?, ?>) ended.get("details")).get("heldSeconds")).longValue();
        assertTrue(heldSeconds >= 70 * 60 && heldSeconds < 75 * 60, "held " + heldSeconds + " s");

        // The dwell now ends the outage later than planned, and earliestAdvanceAt says so.
        Instant extended = earliestAdvanceAt(id);
        assertEquals(Duration.ofSeconds(heldSeconds), Duration.between(planned, extended).withNanos(0));
        assertEquals(extended.toString(), ((Map<?, ?>) ended.get("details")).get("earliestAdvanceAt"));
        Api.get(id).then().body("heldSince", equalTo(null)).body("dwellExtendedBy", notNullValue());
        assertEquals(List.of(), events(id, "gate_violation"));
        assertEquals(List.of(), events(id, "paused"));
        assertEquals(List.of(), events(id, "rolled_back"));

        // 20 + 40 observed minutes make the hour: only then may it advance.
        clock.advance(Duration.ofMinutes(39));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        clock.advance(Duration.ofMinutes(2));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));

        String text = annotations(id, "hold_ended").get(0);
        assertTrue(text.contains("over after " + heldSeconds + " s; the dwell is extended by it"), text);
        assertTrue(annotations(id, "hold_started").get(0).contains("connection refused"),
                annotations(id, "hold_started").toString());
    }

    /** How many events of {@code action} the rollouts have, and the sum of their row versions (a write bumps it). */
    private long[] countsAndVersions(List<String> ids, String action) {
        List<UUID> uuids = ids.stream().map(UUID::fromString).toList();
        return QuarkusTransaction.requiringNew().call(() -> {
            Number events = (Number) em.createNativeQuery(
                    "select count(*) from deployment_state where rollout_id in (?1) and action = ?2")
                    .setParameter(1, uuids).setParameter(2, action).getSingleResult();
            Number versions = (Number) em.createNativeQuery("select sum(row_version) from rollout where id in (?1)")
                    .setParameter(1, uuids).getSingleResult();
            return new long[] {events.longValue(), versions.longValue()};
        });
    }

    @Test
    void aFleetWideOutageHoldsEveryRolloutOnceAndWritesNothingWhileItLasts() {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("fleet"), "MANUAL", "ROLLBACK", seedSteps("PT1H")));
        plan.put("gates", List.of(gate("orchestrator-up", UP_QUERY, Map.of())));
        String name = createPlan(plan);
        List<String> fleet = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            fleet.add(startRollout(name, unique("fleet")));
        }
        started.addAll(fleet);
        watch.tick(); // healthy: nothing to do

        monitoring.stopPrometheus();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.ERROR);
        long t0 = System.nanoTime();
        int watched = watch.tick().watched();
        long holding = System.nanoTime() - t0;
        long[] held = countsAndVersions(fleet, "hold_started");
        assertEquals(fleet.size(), held[0]);
        t0 = System.nanoTime();
        watch.tick();
        long quiet = System.nanoTime() - t0;
        // Still in ERROR: no event and no write, for any of them.
        assertEquals(held[0], countsAndVersions(fleet, "hold_started")[0]);
        assertEquals(held[1], countsAndVersions(fleet, "hold_started")[1]);
        for (String id : List.of(fleet.get(0), fleet.get(fleet.size() - 1))) {
            Api.get(id).then().body("state", equalTo("PROGRESSING"));
        }

        monitoring.startPrometheus();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.PASS);
        t0 = System.nanoTime();
        watch.tick();
        long ending = System.nanoTime() - t0;
        assertEquals(fleet.size(), countsAndVersions(fleet, "hold_ended")[0]);
        assertEquals(0, countsAndVersions(fleet, "gate_violation")[0]);
        System.out.printf("fleet outage, %d rollouts held of %d watched: hold tick %d ms, quiet tick %d ms, "
                + "end-of-hold tick %d ms%n", fleet.size(), watched, holding / 1_000_000, quiet / 1_000_000,
                ending / 1_000_000);
    }

    @Test
    void rollbackWinsOverPauseWhenBothAreAskedForAtOnce() {
        String id = start("PAUSE", List.of(
                gate("orchestrator-up", UP_QUERY, Map.of()),
                gate("orchestrator-up-or-back", "max(" + UP_QUERY + ")", Map.of("onFail", "ROLLBACK"))));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        target.stop();
        awaitStatus(GateDefinition.targetUp("orchestrator-up-or-back", "max(" + UP_QUERY + ")"), GateStatus.FAIL);
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.FAIL);
        watch.tick();
        Api.get(id).then().body("state", equalTo("ROLLED_BACK")).body("currentPercentage", equalTo(0.0f));
        Map<String, Object> violation = only(id, "gate_violation");
        assertEquals("ROLLBACK", ((Map<?, ?>) violation.get("details")).get("policy"));
        assertEquals("FAIL", gateIn(violation, "orchestrator-up").get("status"));
        assertEquals("FAIL", gateIn(violation, "orchestrator-up-or-back").get("status"));
        assertEquals("ROLLBACK", ((Map<?, ?>) only(id, "rolled_back").get("details")).get("policy"));
        assertEquals(List.of(), events(id, "paused"));
        assertTrue(annotations(id, "gate_violation").get(0).contains("policy ROLLBACK"),
                annotations(id, "gate_violation").toString());
    }

    @Test
    void aFailingShadowGateNeverBlocksYetIsRecordedShownAndCounted() {
        String shadow = unique("trial").replace('-', '_');
        String id = start("PAUSE", List.of(
                gate("orchestrator-up", UP_QUERY, Map.of()),
                gate(shadow, "up{job=\"no-such-job\"}", Map.of("shadow", true, "onFail", "ROLLBACK"))));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        watch.tick();
        watch.tick(); // recorded once, not every tick
        Api.get(id).then().body("state", equalTo("PROGRESSING"));
        Map<String, Object> recorded = only(id, "shadow_violation");
        Map<String, Object> result = gateIn(recorded, shadow);
        assertEquals("FAIL", result.get("status"));
        assertEquals(true, result.get("shadow"));
        assertEquals("no data", evidence(result).get("observed"));
        assertEquals(false, gateIn(recorded, "orchestrator-up").get("shadow"));
        // The step it did not block carries it too.
        assertEquals(true, gateIn(events(id, "step").get(0), shadow).get("shadow"));

        given().get("/api/v1/rollouts/" + id + "/gates").then().statusCode(200)
                .body("find { it.name == '" + shadow + "' }.shadow", equalTo(true))
                .body("find { it.name == '" + shadow + "' }.status", equalTo("FAIL"))
                .body("find { it.name == '" + shadow + "' }.evidence.threshold",
                        equalTo("at least one series, every value = 1"))
                .body("find { it.name == 'orchestrator-up' }.shadow", equalTo(false));
        Metrics.scrape().then().statusCode(200).body(containsString(
                "rollout_gate_evaluations_total{gate=\"" + shadow + "\",result=\"FAIL\",shadow=\"true\"}"));
        String text = annotations(id, "shadow_violation").get(0);
        assertTrue(text.contains("not enforced") && text.contains(shadow + " (shadow, FAIL: query up{job=\"no-such-job\"}"),
                text);

        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
    }

    @Test
    void aViolationsHistoryAndAnnotationNameTheQueryTheObservedValueAndTheThreshold() {
        String id = start("PAUSE", List.of(gate("orchestrator-up", UP_QUERY, Map.of())));
        advance(id).then().statusCode(200);
        target.stop();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.FAIL);
        watch.tick();
        Api.get(id).then().body("state", equalTo("PAUSED"));
        Map<String, Object> result = gateIn(only(id, "gate_violation"), "orchestrator-up");
        Map<String, Object> evidence = evidence(result);
        assertEquals(UP_QUERY, evidence.get("query"));
        assertEquals("at least one series, every value = 1", evidence.get("threshold"));
        String observed = (String) evidence.get("observed");
        assertTrue(observed.equals("no data") || observed.contains("not 1"), observed);
        String text = annotations(id, "gate_violation").get(0);
        assertTrue(text.contains("policy PAUSE"), text);
        assertTrue(text.contains("orchestrator-up (FAIL: query " + UP_QUERY + "; observed " + observed
                + "; threshold at least one series, every value = 1)"), text);
    }

    @Test
    void atZeroPercentAFailAppliesItsPolicyAndAnErrorHoldsWithTheEvidenceInTheRefusal() {
        // A FAIL before any exposure: the policy applies as at any step; the script is told the rollout stopped.
        String failing = start("PAUSE", List.of(gate("missing-up", "up{job=\"no-such-job\"}", Map.of())));
        watch.tick();
        Api.get(failing).then().body("state", equalTo("PAUSED")).body("currentPercentage", equalTo(0.0f));
        assertEquals("no data", evidence(gateIn(only(failing, "gate_violation"), "missing-up")).get("observed"));
        advance(failing).then().statusCode(409).body("type", equalTo("/problems/not-progressing"))
                .body("state", equalTo("PAUSED"));

        // An ERROR at 0 %: held, never paused; the advance is refused gates-failing with the evidence.
        String held = start("PAUSE", List.of(gate("orchestrator-up", UP_QUERY, Map.of())));
        monitoring.stopPrometheus();
        awaitStatus(GateDefinition.targetUp("orchestrator-up", UP_QUERY), GateStatus.ERROR);
        watch.tick();
        Api.get(held).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(0.0f));
        assertNotNull(only(held, "hold_started"));
        advance(held).then().statusCode(409).body("type", equalTo("/problems/gates-failing"))
                .body("gates[0].status", equalTo("ERROR"))
                .body("gates[0].evidence.query", equalTo(UP_QUERY))
                .body("gates[0].evidence.observed", containsString("connection refused"));
        String refusal = annotations(held, "advance_refused").get(0);
        assertTrue(refusal.contains("orchestrator-up (ERROR: query " + UP_QUERY + "; observed "), refusal);
    }
}
