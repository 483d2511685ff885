package dev.rollout.gate;

import static dev.rollout.gate.GateStatus.ERROR;
import static dev.rollout.gate.GateStatus.FAIL;
import static dev.rollout.gate.GateStatus.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.gate.GateRules.Reading;
import dev.rollout.gate.GateRules.Verdict;
import dev.rollout.gate.StubServer.Response;

/** The burn-rate gate's arithmetic, validation, JSON and requests, with no database and no real Prometheus. */
class BurnRateGateTest {

    private static final String RATIO = "sum(rate(http_requests_total{code=~\"5..\"}[$window]))"
            + " / sum(rate(http_requests_total[$window]))";
    private static final List<BurnWindow> PAIRS = List.of(BurnWindow.of("1h", "5m", 14.4), BurnWindow.of("6h", "30m", 6));

    private final StubServer prometheus = new StubServer();

    @AfterEach
    void stop() {
        prometheus.close();
    }

    private static Verdict verdict(double... ratios) {
        Map<String, Reading> readings = new HashMap<>();
        List<String> windows = List.of("1h", "5m", "6h", "30m");
        for (int i = 0; i < windows.size(); i++) {
            readings.put(windows.get(i), Double.isNaN(ratios[i]) ? Reading.missing("no data for q" + windows.get(i))
                    : Reading.of(ratios[i]));
        }
        return BurnRate.verdict(RATIO, 0.999, PAIRS, readings);
    }

    // Thresholds at objective 0.999: 1h/5m 0.0144, 6h/30m 0.006.

    @Test
    void failsOnlyWhenBothWindowsOfAPairAreOverItsThreshold() {
        assertEquals(FAIL, verdict(0.02, 0.03, 0.001, 0.001).status(), "fast burn on 1h/5m");
        assertEquals(FAIL, verdict(0.001, 0.001, 0.007, 0.008).status(), "slow burn on 6h/30m");
        assertEquals(PASS, verdict(0.001, 0.5, 0.001, 0.5).status(), "a short spike the long windows do not confirm");
        assertEquals(PASS, verdict(0.02, 0.001, 0.007, 0.001).status(), "a burn that has stopped: short windows calm");
        assertEquals(PASS, verdict(0.0144, 0.0144, 0.006, 0.006).status(), "at the threshold is not over it");
        assertEquals(PASS, verdict(0, 0, 0, 0).status());
        assertEquals(FAIL, verdict(Double.POSITIVE_INFINITY, 1, 0, 0).status());
    }

    @Test
    void noDataIsAnErrorUnlessAPairIsConfirmedBurning() {
        Verdict noData = verdict(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        assertEquals(ERROR, noData.status());
        assertTrue(noData.detail().startsWith("cannot tell the burn rate for objective 0.999: 1h: no data for q1h; "
                + "5m: no data for q5m"), noData.detail());
        assertEquals(ERROR, verdict(0.001, Double.NaN, 0.001, 0.001).status(), "a calm long window is no excuse");
        assertEquals(FAIL, verdict(0.02, 0.03, Double.NaN, Double.NaN).status(), "a confirmed fast burn is a fact");
    }

    @Test
    void theDetailShowsTheTemplateTheObjectiveAndEachWindowsValueAgainstItsThreshold() {
        assertEquals("error budget burning too fast for objective 0.999: "
                + "1h/5m: 1h = 0.02, 5m = 0.03, both over 0.0144 (14.4 × 0.001); "
                + "6h/30m: 6h = 0.001, 30m = 0.001, not both over 0.006 (6 × 0.001); errorRatio: " + RATIO,
                verdict(0.02, 0.03, 0.001, 0.001).detail());
        assertEquals("error budget burn within limits for objective 0.999: "
                + "1h/5m: 1h = 0.0001, 5m = 0.5, not both over 0.0144 (14.4 × 0.001); "
                + "6h/30m: 6h = 0.0001, 30m = 0.5, not both over 0.006 (6 × 0.001); errorRatio: " + RATIO,
                verdict(0.0001, 0.5, 0.0001, 0.5).detail());
    }

    @Test
    void thresholdIsTheFactorTimesTheErrorBudget() {
        assertEquals(0.0144, BurnRate.threshold(0.999, 14.4), 1e-12);
        assertEquals(0.06, BurnRate.threshold(0.99, 6), 1e-12);
        assertEquals(PAIRS, BurnRate.DEFAULT_WINDOWS);
        assertEquals(List.of("1h", "5m", "6h", "30m"), new ArrayList<>(BurnRate.distinctWindows(PAIRS)));
        assertEquals(List.of("1h", "5m", "30m"), new ArrayList<>(BurnRate.distinctWindows(
                List.of(BurnWindow.of("1h", "5m", 14.4), BurnWindow.of("1h", "30m", 6)))));
        assertEquals("sum(rate(e[5m])) / sum(rate(r[5m]))", BurnRate.query("sum(rate(e[$window])) / sum(rate(r[$window]))", "5m"));
    }

    @Test
    void prometheusDurations() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), PromDuration.parse("30s"));
        assertEquals(Optional.of(Duration.ofMinutes(90)), PromDuration.parse("1h30m"));
        assertEquals(Optional.of(Duration.ofDays(9)), PromDuration.parse("1w2d"));
        assertEquals(Optional.of(Duration.ofMillis(1500)), PromDuration.parse("1s500ms"));
        assertEquals(Optional.of(Duration.ofDays(365)), PromDuration.parse("1y"));
        for (String bad : Arrays.asList("", "5", "5M", "m", "1m1h", "PT5M", "-5m", "5 m", "1.5h", "5mm",
                "99999999999999999999y", null)) {
            assertEquals(Optional.empty(), PromDuration.parse(bad), String.valueOf(bad));
        }
    }

    private static List<String> validate(GateDefinition gate) {
        return GateDefinitionValidator.validate(List.of(gate), Set.of());
    }

    private static void assertProblem(String expected, GateDefinition gate) {
        List<String> problems = validate(gate);
        assertTrue(problems.contains(expected), () -> "expected <" + expected + "> in " + problems);
    }

    private static GateDefinition gate(String ratio, Double objective, List<BurnWindow> windows) {
        return GateDefinition.burnRate("slo", ratio, objective, windows);
    }

    @Test
    void acceptsTheContractsExampleWithAndWithoutWindows() {
        assertEquals(List.of(), validate(gate(RATIO, 0.999, PAIRS)));
        assertEquals(List.of(), validate(gate(RATIO, 0.999, null)));
        assertEquals(List.of(), validate(gate(RATIO, 0.99, List.of(BurnWindow.of("30s", "10s", 20)))));
    }

    @Test
    void refusesEachBadFieldWithAClearMessage() {
        assertProblem("gates[0].errorRatio: required for kind burn-rate", gate(null, 0.999, null));
        assertProblem("gates[0].errorRatio: must contain $window where each window goes, e.g. "
                + "sum(rate(errors_total[$window])) / sum(rate(requests_total[$window]))",
                gate("sum(rate(errors[5m]))", 0.999, null));
        assertProblem("gates[0].errorRatio: $window must not be followed by a letter, digit or '_' (it would run"
                + " into the name after it)", gate("rate(x[$window]) / $window_total", 0.999, null));
        assertProblem("gates[0].errorRatio: at most 4096 characters, got 4097",
                gate("$window" + " ".repeat(4090), 0.999, null));
        assertProblem("gates[0].objective: required for kind burn-rate, the SLO as a fraction such as 0.999",
                gate(RATIO, null, null));
        for (double bad : new double[] {0, 1, 99.9, -0.5}) {
            assertTrue(validate(gate(RATIO, bad, null)).get(0).startsWith(
                    "gates[0].objective: must be greater than 0 and less than 1"), String.valueOf(bad));
        }
        assertProblem("gates[0].windows: at least 1 pair of windows; leave windows out for the defaults "
                + "[{1h, 5m, 14.4}, {6h, 30m, 6}]", gate(RATIO, 0.999, List.of()));
        assertProblem("gates[0].windows: at most 8 pairs of windows, got 9",
                gate(RATIO, 0.999, Collections.nCopies(9, BurnWindow.of("1h", "5m", 14.4))));
        assertProblem("gates[0].windows[0]: must be an object with long, short and factor",
                gate(RATIO, 0.999, Arrays.asList((BurnWindow) null)));
        assertProblem("gates[0].windows[0].long: must be a Prometheus duration such as 30s, 5m, 1h or 1h30m "
                + "(units y, w, d, h, m, s, ms), got 'PT1H'", gate(RATIO, 0.999, List.of(BurnWindow.of("PT1H", "5m", 14.4))));
        assertProblem("gates[0].windows[0].short: required, a Prometheus duration such as 5m or 1h",
                gate(RATIO, 0.999, List.of(new BurnWindow("1h", null, 14.4))));
        assertProblem("gates[0].windows[0].short: must be longer than 0, got '0s'",
                gate(RATIO, 0.999, List.of(BurnWindow.of("1h", "0s", 14.4))));
        assertProblem("gates[0].windows[0].long: at most 30d, got '31d'",
                gate(RATIO, 0.999, List.of(BurnWindow.of("31d", "1h", 1))));
        assertProblem("gates[0].windows[0].long: at most 32 characters, got 33",
                gate(RATIO, 0.999, List.of(BurnWindow.of("1".repeat(32) + "s", "1s", 1))));
        assertProblem("gates[0].windows[1].short: must be shorter than long (30m), got 1h",
                gate(RATIO, 0.999, List.of(BurnWindow.of("1h", "5m", 14.4), BurnWindow.of("30m", "1h", 6))));
        assertProblem("gates[0].windows[0].short: must be shorter than long (60m), got 1h",
                gate(RATIO, 0.999, List.of(BurnWindow.of("60m", "1h", 6))));
        assertProblem("gates[0].windows[0].factor: required, the burn rate that counts as burning, e.g. 14.4",
                gate(RATIO, 0.999, List.of(new BurnWindow("1h", "5m", null))));
        assertProblem("gates[0].windows[0].factor: must be a number greater than 0, got 0",
                gate(RATIO, 0.999, List.of(BurnWindow.of("1h", "5m", 0))));
        assertProblem("gates[0].windows[0].factor: must be a number greater than 0, got -2",
                gate(RATIO, 0.999, List.of(BurnWindow.of("1h", "5m", -2))));
        assertProblem("gates[0].windows[0].factor: factor × (1 − objective) = 1 is 1 or more, which no error ratio"
                + " exceeds: the pair could never fail; at most 100 is meaningful",
                gate(RATIO, 0.99, List.of(BurnWindow.of("1h", "5m", 100))));
    }

    @Test
    void fieldsOfOtherKindsAreRefused() {
        GateDefinition mixed = new GateDefinition("g", GateKind.BURN_RATE, "up", null, null, "< 1", null, null,
                RATIO, 0.999, null, "c", null, null);
        List<String> problems = validate(mixed);
        assertTrue(problems.contains("gates[0].query: not allowed for kind burn-rate"), problems.toString());
        assertTrue(problems.contains("gates[0].condition: not allowed for kind burn-rate"), problems.toString());
        assertTrue(problems.contains("gates[0].canary: not allowed for kind burn-rate"), problems.toString());
        assertProblem("gates[0].errorRatio: not allowed for kind target-up", new GateDefinition("g", GateKind.TARGET_UP,
                "up", null, null, null, null, null, RATIO, 0.999, PAIRS, null, null, null));
        assertProblem("gates[0].objective: not allowed for kind target-up", new GateDefinition("g", GateKind.TARGET_UP,
                "up", null, null, null, null, null, RATIO, 0.999, PAIRS, null, null, null));
        assertProblem("gates[0].windows: not allowed for kind target-up", new GateDefinition("g", GateKind.TARGET_UP,
                "up", null, null, null, null, null, RATIO, 0.999, PAIRS, null, null, null));
    }

    @Test
    void eachDistinctWindowCountsTowardsTheRequestsOfAnEvaluation() {
        assertEquals(4, GateDefinitionValidator.requests(List.of(gate(RATIO, 0.999, null))));
        assertEquals(3, GateDefinitionValidator.requests(List.of(gate(RATIO, 0.999,
                List.of(BurnWindow.of("1h", "5m", 14.4), BurnWindow.of("6h", "1h", 6))))));
        // 15 default burn-rate gates need 60 requests; with 3 more target-up gates, 63; one more is over 64.
        List<GateDefinition> gates = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            gates.add(GateDefinition.burnRate("slo" + i, RATIO, 0.999, null));
        }
        for (int i = 0; i < 4; i++) {
            gates.add(GateDefinition.targetUp("up" + i, "up"));
        }
        assertEquals(64, GateDefinitionValidator.requests(gates));
        assertEquals(List.of(), GateDefinitionValidator.validate(gates, Set.of()));
        gates.add(GateDefinition.targetUp("one-more", "up"));
        assertTrue(GateDefinitionValidator.validate(gates, Set.of()).get(0).startsWith(
                "gates: at most 64 monitoring requests per evaluation are allowed"));
    }

    @Test
    void readsAndWritesThePlanJson() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<GateDefinition> gates = json.readValue("""
                [{"name": "slo", "kind": "burn-rate", "errorRatio": "e[$window]", "objective": 0.999,
                  "windows": [{"long": "1h", "short": "5m", "factor": 14.4}, {"long": "6h", "short": "30m", "factor": 6}]},
                 {"name": "slo-defaults", "kind": "burn-rate", "errorRatio": "e[$window]", "objective": 0.99}]
                """, new TypeReference<>() {
        });
        assertEquals(List.of(GateDefinition.burnRate("slo", "e[$window]", 0.999, PAIRS),
                GateDefinition.burnRate("slo-defaults", "e[$window]", 0.99, null)), gates);
        String written = json.writeValueAsString(gates.get(0));
        assertTrue(written.contains("\"windows\":[{\"long\":\"1h\",\"short\":\"5m\",\"factor\":14.4}"), written);
        assertEquals(gates.get(0), json.readValue(written, GateDefinition.class));
    }

    private static String vector(String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + (value == null ? "" : "{\"metric\":{},\"value\":[1700000000,\"" + value + "\"]}") + "]}}";
    }

    @Test
    void sendsOneQueryPerDistinctWindowSharedAcrossTheBatch() {
        prometheus.responder = r -> {
            String query = GateEvaluatorTest.query(r);
            // A fast burn over the last hour and 5 minutes; calm over 6 hours and 30 minutes.
            return Response.ok(vector(query.contains("[1h]") || query.contains("[5m]") ? "0.05" : "0.001"));
        };
        GateEvaluator evaluator = new GateEvaluator(MonitoringSources.of(MonitoringEndpoint.of(prometheus.url()),
                MonitoringEndpoint.of(prometheus.url())));
        GateEvaluator.Batch batch = evaluator.newBatch();
        GateDefinition gate = GateDefinition.burnRate("slo", RATIO, 0.999, null);
        GateResult first = batch.evaluate(List.of(gate)).get(0);
        GateResult second = batch.evaluate(List.of(GateDefinition.burnRate("same-slo", RATIO, 0.999, null))).get(0);
        assertEquals(FAIL, first.status(), first.detail());
        assertEquals(GateKind.BURN_RATE, first.kind());
        assertEquals(first.detail(), second.detail());
        assertEquals(4, batch.requestsSent());
        assertEquals(4, prometheus.requests.size(), "one per window, and the second rollout's gate asks nothing");
        assertEquals(Set.of(BurnRate.query(RATIO, "1h"), BurnRate.query(RATIO, "5m"), BurnRate.query(RATIO, "6h"),
                BurnRate.query(RATIO, "30m")),
                Set.copyOf(prometheus.requests.stream().map(GateEvaluatorTest::query).toList()));
    }

    @Test
    void anUnreachablePrometheusIsAnErrorThatSaysWhy() {
        prometheus.close();
        GateEvaluator evaluator = new GateEvaluator(MonitoringSources.of(MonitoringEndpoint.of(prometheus.url()),
                MonitoringEndpoint.of(prometheus.url())));
        GateResult result = evaluator.evaluate(List.of(GateDefinition.burnRate("slo", RATIO, 0.999, null))).get(0);
        assertEquals(ERROR, result.status());
        assertTrue(result.detail().contains("connection refused"), result.detail());
    }
}
