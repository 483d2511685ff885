package dev.rollout.support.monitoring;

import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateEvaluator;
import dev.rollout.gate.GateResult;
import dev.rollout.gate.GateStatus;
import dev.rollout.gate.MonitoringEndpoint;
import dev.rollout.gate.MonitoringSources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness and the gate clients together against a real Prometheus and Alertmanager. */
class MonitoringStackTest {

    private static final String DURATION_COUNT = "genesis_operation_duration_seconds_count";
    private static final String TESTS_TOTAL = "genesis_tests_total_total";
    private static final GateDefinition TARGET_UP =
            GateDefinition.targetUp("orchestrator-up", "up{job=\"genesis-orchestrator\"}");
    private static final GateDefinition METRICS =
            GateDefinition.metricsPresent("app-metrics", List.of(DURATION_COUNT, TESTS_TOTAL));
    private static final GateDefinition NO_ALERTS =
            GateDefinition.noFiringAlerts("no-alerts", List.of("severity=~\"warning|critical\""));
    private static final Duration WITHIN = Duration.ofSeconds(15);

    private static FakeTarget app;
    private static MonitoringStack stack;
    private static GateEvaluator evaluator;

    @BeforeAll
    static void startStack() {
        app = new FakeTarget().set(DURATION_COUNT, 42).set(TESTS_TOTAL, 7);
        stack = MonitoringStack.start(Map.of("genesis-orchestrator", app.address()));
        stack.writeRules("""
                groups:
                  - name: tests
                    rules:
                      - alert: TestSuiteNotRunning
                        expr: absent(genesis_tests_total_total)
                        for: 0s
                        labels:
                          severity: warning
                """);
        evaluator = new GateEvaluator(MonitoringSources.of(
                MonitoringEndpoint.of(stack.prometheusUrl()), MonitoringEndpoint.of(stack.alertmanagerUrl())));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    void targetUpFailsWhenTheTargetStopsAndPassesAgainWhenItIsBack() {
        awaitStatus(TARGET_UP, GateStatus.PASS);
        app.stop();
        try {
            GateResult down = awaitStatus(TARGET_UP, GateStatus.FAIL);
            assertTrue(down.detail().contains("instance=\"" + app.address() + "\"") && down.detail().contains("= 0"),
                    down.detail());
        } finally {
            app.start();
        }
        awaitStatus(TARGET_UP, GateStatus.PASS);
    }

    @Test
    void metricsPresentFailsWhenAMetricDisappears() {
        GateResult present = awaitStatus(METRICS, GateStatus.PASS);
        assertTrue(present.detail().contains(TESTS_TOTAL + ": 1 series"), present.detail());
        app.remove(TESTS_TOTAL);
        try {
            GateResult missing = awaitStatus(METRICS, GateStatus.FAIL);
            assertEquals("no data for " + TESTS_TOTAL, missing.detail());
        } finally {
            app.set(TESTS_TOTAL, 7);
        }
        awaitStatus(METRICS, GateStatus.PASS);
    }

    @Test
    void firingAlertFailsTheGateUntilItIsSilenced() {
        awaitStatus(NO_ALERTS, GateStatus.PASS);
        app.remove(TESTS_TOTAL);
        String silence = null;
        try {
            GateResult firing = awaitStatus(NO_ALERTS, GateStatus.FAIL);
            assertTrue(firing.detail().startsWith("1 firing alert matching severity=~\"warning|critical\""),
                    firing.detail());
            assertTrue(firing.detail().endsWith(": TestSuiteNotRunning"), firing.detail());

            silence = stack.createSilence(List.of("alertname=\"TestSuiteNotRunning\""), Duration.ofMinutes(10));
            awaitStatus(NO_ALERTS, GateStatus.PASS);
        } finally {
            app.set(TESTS_TOTAL, 7);
            if (silence != null) {
                stack.expireSilence(silence);
            }
        }
    }

    @Test
    void queryThresholdComparesTheValueSeen() {
        GateDefinition enoughTests = GateDefinition.queryThreshold("enough-tests", TESTS_TOTAL, ">= 5");
        GateResult result = awaitStatus(enoughTests, GateStatus.PASS);
        assertEquals(TESTS_TOTAL + " = 7, satisfies >= 5", result.detail());

        GateResult tooFew = evaluator.evaluate(List.of(
                GateDefinition.queryThreshold("many-tests", TESTS_TOTAL, "> 100"))).get(0);
        assertEquals(GateStatus.FAIL, tooFew.status());
        assertEquals(TESTS_TOTAL + " = 7, does not satisfy > 100", tooFew.detail());
    }

    @Test
    void aBatchSendsIdenticalRequestsOnce() {
        awaitStatus(TARGET_UP, GateStatus.PASS);
        GateEvaluator.Batch batch = evaluator.newBatch();
        List<GateDefinition> rolloutGates = List.of(TARGET_UP, METRICS, NO_ALERTS);
        List<GateResult> first = batch.evaluate(rolloutGates);
        List<GateResult> second = batch.evaluate(rolloutGates);
        assertEquals(4, batch.requestsSent(), "1 target-up query + 2 metric queries + 1 alert listing");
        assertEquals(first.stream().map(GateResult::status).toList(), second.stream().map(GateResult::status).toList());
    }

    @Test
    void prometheusDownIsAnErrorNamingTheConnection() {
        awaitStatus(TARGET_UP, GateStatus.PASS);
        stack.stopPrometheus();
        try {
            List<GateResult> results = evaluator.evaluate(List.of(TARGET_UP, METRICS));
            String address = stack.prometheusUrl().substring("http://".length());
            for (GateResult result : results) {
                assertEquals(GateStatus.ERROR, result.status(), result.detail());
                assertEquals("connection refused to Prometheus at " + address, result.detail());
            }
        } finally {
            stack.startPrometheus();
        }
        awaitStatus(TARGET_UP, GateStatus.PASS);
    }

    @Test
    void unconfiguredSourcesAreErrors() {
        GateEvaluator unconfigured = new GateEvaluator(MonitoringSources.of(null, null));
        List<GateResult> results = unconfigured.evaluate(List.of(TARGET_UP, NO_ALERTS,
                TARGET_UP.withSource("elsewhere")));
        assertEquals(List.of(GateStatus.ERROR, GateStatus.ERROR, GateStatus.ERROR),
                results.stream().map(GateResult::status).toList());
        assertEquals("no Prometheus configured (set rollout.prometheus.url)", results.get(0).detail());
        assertEquals("no Alertmanager configured (set rollout.alertmanager.url)", results.get(1).detail());
        assertEquals("unknown monitoring source 'elsewhere'", results.get(2).detail());
    }

    private static GateResult awaitStatus(GateDefinition gate, GateStatus expected) {
        GateResult[] last = new GateResult[1];
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            last[0] = evaluator.evaluate(List.of(gate)).get(0);
            assertEquals(expected, last[0].status(), () -> gate.name() + ": " + last[0].detail());
        });
        return last[0];
    }
}
