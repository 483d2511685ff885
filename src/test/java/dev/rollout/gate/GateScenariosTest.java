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
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rollout.support.Metrics;
import dev.rollout.rollout.RolloutWatch;
import dev.rollout.support.Api;
import dev.rollout.support.MonitoringResource;
import dev.rollout.support.TestClock;
import dev.rollout.support.monitoring.FakeTarget;
import dev.rollout.support.monitoring.MonitoringStack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The incident's three signals against real Prometheus and Alertmanager processes: the orchestrator
 * target, its application metrics and the TestSuiteNotRunning alert. The watch ticks every second.
 */
@QuarkusTest
class GateScenariosTest {

    private static final Map<String, Object> ORCHESTRATOR_UP = Map.of("name", "orchestrator-up", "kind", "target-up",
            "query", "up{job=\"genesis-orchestrator\"}");
    private static final Map<String, Object> APP_METRICS = Map.of("name", "app-metrics", "kind", "metrics-present",
            "metrics", List.of("genesis_operation_duration_seconds_count", "genesis_tests_total_total"));
    private static final Map<String, Object> NO_ALERTS = Map.of("name", "no-alerts", "kind", "no-firing-alerts",
            "matchers", List.of("severity=~\"warning|critical\""));

    @Inject
    GateEvaluator gates;

    @Inject
    TestClock clock;

    @Inject
    RolloutWatch watch;

    private final List<String> started = new ArrayList<>();
    private final List<String> silences = new ArrayList<>();
    private FakeTarget target;
    private MonitoringStack monitoring;

    @BeforeEach
    void healthyOrchestrator() {
        target = MonitoringResource.target();
        monitoring = MonitoringResource.stack();
        MonitoringResource.healthy(target);
        monitoring.writeRules(MonitoringResource.TEST_SUITE_RULES);
        awaitAllPass(List.of(ORCHESTRATOR_UP, APP_METRICS, NO_ALERTS));
    }

    @AfterEach
    void cleanUp() {
        clock.reset();
        watch.release();
        for (String id : started) {
            command(id, "abort", "test over");
        }
        silences.forEach(monitoring::expireSilence);
        monitoring.startAlertmanager();
        monitoring.startPrometheus();
        MonitoringResource.healthy(target);
    }

    private String start(String onViolation, String dwell, List<Map<String, Object>> gateList) {
        Map<String, Object> plan = new HashMap<>(Api.plan(unique("gated"), "MANUAL", onViolation, seedSteps(dwell)));
        plan.put("gates", gateList);
        String id = startRollout(createPlan(plan), unique(MonitoringResource.JOB));
        started.add(id);
        return id;
    }

    private void awaitAllPass(List<Map<String, Object>> gateList) {
        List<GateDefinition> definitions = gateList.stream().map(GateScenariosTest::definition).toList();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> new GateReport(gates.evaluate(definitions)).passed());
    }

    @SuppressWarnings("unchecked")
    private static GateDefinition definition(Map<String, Object> gate) {
        return switch ((String) gate.get("kind")) {
            case "target-up" -> GateDefinition.targetUp((String) gate.get("name"), (String) gate.get("query"));
            case "metrics-present" -> GateDefinition.metricsPresent((String) gate.get("name"), (List<String>) gate.get("metrics"));
            default -> GateDefinition.noFiringAlerts((String) gate.get("name"), (List<String>) gate.get("matchers"));
        };
    }

    /** Waits for the watch to act; the bound is generous, how fast it acts is measured by DetectToPauseBench. */
    private static void awaitState(String id, String state) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> state.equals(Api.get(id).path("state")));
    }

    private static Map<String, Object> lastEvent(String id, String action) {
        List<Map<String, Object>> events = Api.history(id).stream().filter(e -> e.get("action").equals(action)).toList();
        assertTrue(!events.isEmpty(), "no " + action + " event in " + Api.history(id));
        return events.get(events.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> gateIn(Map<String, Object> event, String name) {
        List<Map<String, Object>> results = (List<Map<String, Object>>) ((Map<String, Object>) event.get("details")).get("gates");
        return results.stream().filter(g -> g.get("name").equals(name)).findFirst().orElseThrow();
    }

    @Test
    void a_theOrchestratorStoppingPausesTheRollout() {
        String id = start("PAUSE", "PT1H", List.of(ORCHESTRATOR_UP));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        target.stop();
        awaitState(id, "PAUSED");
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
        Map<String, Object> violation = lastEvent(id, "gate_violation");
        assertEquals("controller", violation.get("actor"));
        assertEquals("FAIL", gateIn(violation, "orchestrator-up").get("status"));
        assertEquals("paused", Api.history(id).get(Api.history(id).size() - 1).get("action"));
        given().get("/api/v1/rollouts/" + id + "/gates").then().statusCode(200)
                .body("[0].name", equalTo("orchestrator-up")).body("[0].status", equalTo("FAIL"));
        Metrics.scrape().then().statusCode(200)
                .body(containsString("rollout_gate_evaluations_total{gate=\"orchestrator-up\",result=\"FAIL\",shadow=\"false\"}"))
                .body(containsString("rollout_gate_evaluation_seconds_count{gate=\"orchestrator-up\"}"));
    }

    @Test
    void b_missingApplicationMetricsFailTheGate() {
        String id = start("PAUSE", "PT1H", List.of(APP_METRICS));
        advance(id).then().statusCode(200);
        target.remove("genesis_operation_duration_seconds_count");
        awaitState(id, "PAUSED");
        Map<String, Object> gate = gateIn(lastEvent(id, "gate_violation"), "app-metrics");
        assertEquals("FAIL", gate.get("status"));
        assertTrue(((String) gate.get("detail")).contains("genesis_operation_duration_seconds_count"), gate.toString());
    }

    @Test
    void c_aFiringAlertListedByAlertmanagerPausesTheRollout() throws Exception {
        String id = start("PAUSE", "PT1H", List.of(NO_ALERTS));
        advance(id).then().statusCode(200);
        target.set("genesis_test_suite_running", 0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> alertmanagerLists("TestSuiteNotRunning", false));
        awaitState(id, "PAUSED");
        Map<String, Object> gate = gateIn(lastEvent(id, "gate_violation"), "no-alerts");
        assertEquals("FAIL", gate.get("status"));
        assertTrue(((String) gate.get("detail")).contains("TestSuiteNotRunning"), gate.toString());
    }

    @Test
    void d_withRollbackPolicyAViolationReturnsToZero() {
        String id = start("ROLLBACK", "PT1H", List.of(ORCHESTRATOR_UP));
        advance(id).then().statusCode(200);
        target.stop();
        awaitState(id, "ROLLED_BACK");
        Api.get(id).then().body("currentPercentage", equalTo(0.0f));
        Map<String, Object> violation = lastEvent(id, "gate_violation");
        assertEquals(5.0f, violation.get("fromPercentage"));
        assertEquals(0.0f, violation.get("toPercentage"));
        assertEquals("rolled_back", Api.history(id).get(Api.history(id).size() - 1).get("action"));
    }

    /**
     * The default for an ERROR is HOLD (it used to pause): no pause, the hold on record with why, and no advance
     * however long the dwell has been, since the time held does not count.
     */
    @Test
    void e_prometheusDownIsAnErrorThatHoldsAndSaysWhy() {
        String id = start("PAUSE", "PT1H", List.of(ORCHESTRATOR_UP, APP_METRICS));
        advance(id).then().statusCode(200);
        monitoring.stopPrometheus();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Api.history(id).stream().anyMatch(e -> e.get("action").equals("hold_started")));
        watch.hold();
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(5.0f));
        Map<String, Object> gate = gateIn(lastEvent(id, "hold_started"), "orchestrator-up");
        assertEquals("ERROR", gate.get("status"));
        assertTrue(((String) gate.get("detail")).contains("connection refused"), gate.toString());
        assertTrue(((String) lastEvent(id, "hold_started").get("reason")).contains("orchestrator-up ERROR"));
        Metrics.scrape().then().body(containsString("rollout_gate_source_up{source=\"default\"} 0.0"));
        clock.advance(Duration.ofHours(2));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"))
                .body("heldSince", org.hamcrest.Matchers.notNullValue());
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(5.0f));
        assertTrue(Api.history(id).stream().noneMatch(e -> e.get("action").equals("paused")));
    }

    /** {@code onError: PAUSE}: an outage of this gate's source pauses, as every ERROR did before HOLD. */
    @Test
    void i_alertmanagerDownPausesAGateThatSaysSoAndSaysWhy() {
        Map<String, Object> noAlerts = new HashMap<>(NO_ALERTS);
        noAlerts.put("onError", "PAUSE");
        String id = start("PAUSE", "PT1H", List.of(noAlerts));
        advance(id).then().statusCode(200);
        monitoring.stopAlertmanager();
        awaitState(id, "PAUSED");
        Api.get(id).then().body("currentPercentage", equalTo(5.0f));
        Map<String, Object> gate = gateIn(lastEvent(id, "gate_violation"), "no-alerts");
        assertEquals("ERROR", gate.get("status"));
        assertTrue(((String) gate.get("detail")).contains("Alertmanager"), gate.toString());
        assertTrue(((String) gate.get("detail")).contains("connection refused"), gate.toString());
        assertTrue(((String) lastEvent(id, "paused").get("reason")).contains("no-alerts ERROR"));
        assertStillRefusedOnceTheFreshDwellIsOver(id, "no-alerts");
    }

    /**
     * Still down: resuming starts a fresh dwell; once it is over, nothing but the gate can refuse, and the
     * gate refuses (fail closed). The watch is held so it cannot pause the rollout again first, and the
     * refusal must be the gate's, not a too-early or not-progressing one.
     */
    private void assertStillRefusedOnceTheFreshDwellIsOver(String id, String gateName) {
        watch.hold();
        command(id, "resume", "retry").then().statusCode(200);
        clock.advance(Duration.ofHours(1));
        advance(id).then().statusCode(409).body("type", equalTo("/problems/gates-failing"))
                .body("gates.find { it.name == '" + gateName + "' }.status", equalTo("ERROR"));
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(5.0f));
        assertEquals("gates-failing", lastEvent(id, "advance_refused").get("reason"));
    }

    @Test
    void f_aSilencedAlertDoesNotBlock() throws Exception {
        silences.add(monitoring.createSilence(List.of("alertname=\"TestSuiteNotRunning\""), Duration.ofMinutes(10)));
        String id = start("PAUSE", "PT0S", List.of(NO_ALERTS));
        target.set("genesis_test_suite_running", 0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> alertmanagerLists("TestSuiteNotRunning", true));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
        assertEquals("PROGRESSING", Api.get(id).path("state"));
    }

    @Test
    void g_anAdvanceWithFailingGatesIsRefusedWithEveryGatesResult() {
        String id = start("PAUSE", "PT1H", List.of(ORCHESTRATOR_UP, APP_METRICS, NO_ALERTS));
        watch.hold(); // so the watch cannot pause it first
        target.remove("genesis_tests_total_total");
        awaitFailing(List.of(APP_METRICS));
        Response refused = advance(id);
        refused.then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("/problems/gates-failing"))
                .body("gates", hasSize(3))
                .body("gates.find { it.name == 'orchestrator-up' }.status", equalTo("PASS"))
                .body("gates.find { it.name == 'app-metrics' }.status", equalTo("FAIL"))
                .body("gates.find { it.name == 'app-metrics' }.detail", containsString("genesis_tests_total_total"))
                .body("gates.find { it.name == 'no-alerts' }.status", equalTo("PASS"));
        Api.get(id).then().body("state", equalTo("PROGRESSING")).body("currentPercentage", equalTo(0.0f));
        Map<String, Object> recorded = lastEvent(id, "advance_refused");
        assertEquals("gates-failing", recorded.get("reason"));
        assertEquals("FAIL", gateIn(recorded, "app-metrics").get("status"));

        // Only an explicit, reasoned admin override moves past failing gates, and it is recorded as such.
        given().contentType("application/json").body(Map.of("override", true, "reason", "metrics pipeline outage, INC-7"))
                .post("/api/v1/rollouts/" + id + "/advance").then().statusCode(200).body("currentPercentage", equalTo(5.0f));
        Map<String, Object> override = lastEvent(id, "override");
        assertEquals("metrics pipeline outage, INC-7", override.get("reason"));
        assertEquals(List.of("gates"), ((Map<?, ?>) override.get("details")).get("bypassed"));
        assertEquals("FAIL", gateIn(override, "app-metrics").get("status"));
    }

    @Test
    void h_aViolationDuringTheDwellNeedsAFreshFullDwellAfterResume() {
        String id = start("PAUSE", "PT1H", List.of(ORCHESTRATOR_UP));
        advance(id).then().statusCode(200);
        clock.advance(Duration.ofMinutes(50));
        target.stop();
        awaitState(id, "PAUSED");
        target.start();
        awaitAllPass(List.of(ORCHESTRATOR_UP));
        command(id, "resume", "orchestrator back").then().statusCode(200);
        clock.advance(Duration.ofMinutes(20)); // 70 minutes since the step was entered, 20 since resume
        advance(id).then().statusCode(409).body("type", equalTo("/problems/too-early"));
        clock.advance(Duration.ofMinutes(40));
        advance(id).then().statusCode(200).body("currentPercentage", equalTo(10.0f));
    }

    private void awaitFailing(List<Map<String, Object>> gateList) {
        List<GateDefinition> definitions = gateList.stream().map(GateScenariosTest::definition).toList();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> !new GateReport(gates.evaluate(definitions)).passed());
    }

    /** Whether Alertmanager lists the alert as active (or, with {@code silenced}, as silenced). */
    private boolean alertmanagerLists(String alertname, boolean silenced) throws Exception {
        String filter = URLEncoder.encode("alertname=\"" + alertname + "\"", StandardCharsets.UTF_8);
        String url = monitoring.alertmanagerUrl() + "/api/v2/alerts?active=true&inhibited=false&silenced=" + silenced
                + "&unprocessed=false&filter=" + filter;
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains(alertname)
                && (!silenced || response.body().contains("\"suppressed\""));
    }
}
