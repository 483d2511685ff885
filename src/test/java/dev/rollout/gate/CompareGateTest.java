package dev.rollout.gate;

import static dev.rollout.gate.GateStatus.ERROR;
import static dev.rollout.gate.GateStatus.FAIL;
import static dev.rollout.gate.GateStatus.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.gate.GateRules.Reading;
import dev.rollout.gate.GateRules.Verdict;
import dev.rollout.gate.InstantQueryResult.ResultType;
import dev.rollout.gate.InstantQueryResult.Sample;
import dev.rollout.gate.StubServer.Response;

/** The compare gate's arithmetic, validation, JSON and requests, with no database and no real Prometheus. */
class CompareGateTest {

    private static final String CANARY = "p99{track=\"canary\"}";
    private static final String BASELINE = "p99{track=\"stable\"}";
    private static final MaxIncrease TWENTY_PERCENT = MaxIncrease.percent("20%");
    private static final MaxIncrease FIVE_HUNDREDTHS = MaxIncrease.absolute(0.05);

    private final StubServer prometheus = new StubServer();

    @AfterEach
    void stop() {
        prometheus.close();
    }

    private static Verdict compare(double canary, double baseline, MaxIncrease maxIncrease) {
        return GateRules.compare(CANARY, Double.isNaN(canary) ? Reading.missing("no data for " + CANARY) : Reading.of(canary),
                BASELINE, Double.isNaN(baseline) ? Reading.missing("no data for " + BASELINE) : Reading.of(baseline),
                maxIncrease.allowance());
    }

    @Test
    void aPercentageAllowsThatShareOfTheBaselineOnTop() {
        assertEquals(PASS, compare(0.25, 0.25, TWENTY_PERCENT).status());
        assertEquals(PASS, compare(0.29, 0.25, TWENTY_PERCENT).status());
        assertEquals(PASS, compare(0.30, 0.25, TWENTY_PERCENT).status(), "exactly baseline × 1.2");
        assertEquals(FAIL, compare(0.31, 0.25, TWENTY_PERCENT).status());
        assertEquals(PASS, compare(0.01, 0.25, TWENTY_PERCENT).status(), "better than the baseline");
        assertEquals(PASS, compare(0.25, 0.25, MaxIncrease.percent("0%")).status());
        assertEquals(FAIL, compare(0.2501, 0.25, MaxIncrease.percent("0%")).status());
        assertEquals(PASS, compare(0.5, 0.25, MaxIncrease.percent("100%")).status());
        assertEquals(PASS, compare(0.28125, 0.25, MaxIncrease.percent("12.5%")).status());
    }

    @Test
    void anAbsoluteNumberIsAddedToTheBaseline() {
        assertEquals(PASS, compare(0.30, 0.25, FIVE_HUNDREDTHS).status());
        assertEquals(FAIL, compare(0.31, 0.25, FIVE_HUNDREDTHS).status());
        assertEquals(PASS, compare(3, 2, MaxIncrease.absolute(1)).status());
        assertEquals(FAIL, compare(3.5, 2, MaxIncrease.absolute(1)).status());
    }

    @Test
    void aZeroBaselineAllowsOnlyZeroWithAPercentageAndTheAmountWithANumber() {
        assertEquals(PASS, compare(0, 0, TWENTY_PERCENT).status());
        assertEquals(FAIL, compare(0.0001, 0, TWENTY_PERCENT).status());
        assertEquals(PASS, compare(0.05, 0, FIVE_HUNDREDTHS).status());
        assertEquals(FAIL, compare(0.06, 0, FIVE_HUNDREDTHS).status());
    }

    @Test
    void aNegativeBaselineIsNotMadeStricterByAPercentage() {
        assertEquals(-8, TWENTY_PERCENT.allowance().limit(-10), 1e-12);
        assertEquals(PASS, compare(-9, -10, TWENTY_PERCENT).status());
        assertEquals(FAIL, compare(-7, -10, TWENTY_PERCENT).status());
    }

    @Test
    void noValueOnEitherSideOrAnInfiniteBaselineIsAnError() {
        Verdict noCanary = compare(Double.NaN, 0.25, TWENTY_PERCENT);
        assertEquals(ERROR, noCanary.status());
        assertEquals("canary: no data for " + CANARY + "; canary = no value, baseline = 0.25, maxIncrease + 20%; "
                + "canary: " + CANARY + "; baseline: " + BASELINE, noCanary.detail());
        assertEquals(ERROR, compare(0.25, Double.NaN, TWENTY_PERCENT).status());
        assertEquals(ERROR, compare(Double.NaN, Double.NaN, FIVE_HUNDREDTHS).status());
        assertEquals(ERROR, compare(0.25, Double.POSITIVE_INFINITY, TWENTY_PERCENT).status());
        assertEquals(FAIL, compare(Double.POSITIVE_INFINITY, 0.25, TWENTY_PERCENT).status());
    }

    @Test
    void theDetailShowsBothValuesTheThresholdAndTheQueries() {
        assertEquals("canary = 0.31, baseline = 0.25, threshold 0.3 (baseline + 20%): canary over by 0.01; "
                + "canary: " + CANARY + "; baseline: " + BASELINE, compare(0.31, 0.25, TWENTY_PERCENT).detail());
        assertEquals("canary = 0.27, baseline = 0.25, threshold 0.3 (baseline + 0.05): canary within; "
                + "canary: " + CANARY + "; baseline: " + BASELINE, compare(0.27, 0.25, FIVE_HUNDREDTHS).detail());
    }

    @Test
    void oneSeriesOrAScalarPerSide() {
        assertEquals(Reading.of(0.5), GateRules.single("q", new InstantQueryResult(ResultType.SCALAR,
                List.of(new Sample(Map.of(), 0.5)))));
        assertEquals("no data for q", GateRules.single("q", new InstantQueryResult(ResultType.VECTOR, List.of())).problem());
        assertEquals("no data for q: the value is NaN (e.g. no requests in the window)", GateRules.single("q",
                new InstantQueryResult(ResultType.VECTOR, List.of(new Sample(Map.of(), Double.NaN)))).problem());
        assertEquals("expected one series, got 2 for q (aggregate them in the query, e.g. with sum or max)",
                GateRules.single("q", new InstantQueryResult(ResultType.VECTOR,
                        List.of(new Sample(Map.of("a", "1"), 1), new Sample(Map.of("a", "2"), 2)))).problem());
    }

    @Test
    void maxIncreaseIsAPercentageStringOrANonNegativeNumber() {
        assertEquals(new MaxIncrease.Allowance(true, 20), TWENTY_PERCENT.allowance());
        assertEquals(new MaxIncrease.Allowance(false, 0.05), FIVE_HUNDREDTHS.allowance());
        assertEquals(new MaxIncrease.Allowance(false, 1), new MaxIncrease(1).allowance());
        for (Object bad : List.of("0.05", "20", "-20%", "20 %", "%", "twenty%", "1e3%", -0.05, true, List.of(1),
                "1".repeat(40) + "%")) {
            assertThrows(IllegalArgumentException.class, () -> new MaxIncrease(bad).allowance(), String.valueOf(bad));
        }
        assertEquals(new MaxIncrease(1), new MaxIncrease(1.0), "1 and 1.0 are the same increase");
    }

    private static List<String> validate(GateDefinition gate) {
        return GateDefinitionValidator.validate(List.of(gate), Set.of());
    }

    private static void assertProblem(String expected, GateDefinition gate) {
        List<String> problems = validate(gate);
        assertTrue(problems.contains(expected), () -> "expected <" + expected + "> in " + problems);
    }

    @Test
    void validation() {
        assertEquals(List.of(), validate(GateDefinition.compare("c", CANARY, BASELINE, TWENTY_PERCENT)));
        assertEquals(List.of(), validate(GateDefinition.compare("c", CANARY, BASELINE, FIVE_HUNDREDTHS)));
        assertProblem("gates[0].canary: required for kind compare", GateDefinition.compare("c", null, BASELINE, TWENTY_PERCENT));
        assertProblem("gates[0].baseline: required for kind compare", GateDefinition.compare("c", CANARY, " ", TWENTY_PERCENT));
        assertProblem("gates[0].baseline: at most 4096 characters, got 4097",
                GateDefinition.compare("c", CANARY, "b".repeat(4097), TWENTY_PERCENT));
        assertProblem("gates[0].maxIncrease: required for kind compare, a percentage of the baseline such as \"20%\" "
                + "or an absolute increase such as 0.05", GateDefinition.compare("c", CANARY, BASELINE, null));
        assertProblem("gates[0].maxIncrease: a string must be a percentage such as \"20%\" (an absolute increase is a"
                + " JSON number such as 0.05), got \"0.05\"", GateDefinition.compare("c", CANARY, BASELINE,
                MaxIncrease.percent("0.05")));
        assertProblem("gates[0].maxIncrease: an absolute increase must be a finite number, 0 or more, got -1",
                GateDefinition.compare("c", CANARY, BASELINE, MaxIncrease.absolute(-1)));
        assertProblem("gates[0].maxIncrease: must be a percentage such as \"20%\" or an absolute increase as a number"
                + " such as 0.05", GateDefinition.compare("c", CANARY, BASELINE, new MaxIncrease(true)));
        assertProblem("gates[0].maxIncrease: not allowed for kind query-threshold", new GateDefinition("g",
                GateKind.QUERY_THRESHOLD, "q", null, null, "< 1", null, null, null, null, null, null, null, TWENTY_PERCENT));
        assertEquals(2, GateDefinitionValidator.requests(List.of(GateDefinition.compare("c", CANARY, BASELINE,
                TWENTY_PERCENT))));
    }

    @Test
    void readsAndWritesThePlanJsonKeepingStringOrNumber() throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        List<GateDefinition> gates = json.readValue("""
                [{"name": "relative", "kind": "compare", "canary": "c", "baseline": "b", "maxIncrease": "20%"},
                 {"name": "absolute", "kind": "compare", "canary": "c", "baseline": "b", "maxIncrease": 0.05}]
                """, new TypeReference<>() {
        });
        assertEquals(List.of(GateDefinition.compare("relative", "c", "b", TWENTY_PERCENT),
                GateDefinition.compare("absolute", "c", "b", FIVE_HUNDREDTHS)), gates);
        assertTrue(json.writeValueAsString(gates.get(0)).contains("\"maxIncrease\":\"20%\""));
        assertTrue(json.writeValueAsString(gates.get(1)).contains("\"maxIncrease\":0.05"));
    }

    private static String vector(String value) {
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + (value == null ? "" : "{\"metric\":{},\"value\":[1700000000,\"" + value + "\"]}") + "]}}";
    }

    @Test
    void asksForBothSidesOnceAndSharesTheBaseline() {
        prometheus.responder = r -> Response.ok(vector(switch (GateEvaluatorTest.query(r)) {
            case CANARY -> "0.31";
            case BASELINE -> "0.25";
            default -> null;
        }));
        GateEvaluator evaluator = new GateEvaluator(MonitoringSources.of(MonitoringEndpoint.of(prometheus.url()),
                MonitoringEndpoint.of(prometheus.url())));
        GateEvaluator.Batch batch = evaluator.newBatch();
        List<GateResult> results = batch.evaluate(List.of(
                GateDefinition.compare("relative", CANARY, BASELINE, TWENTY_PERCENT),
                GateDefinition.compare("absolute", CANARY, BASELINE, MaxIncrease.absolute(0.1)),
                GateDefinition.compare("other-canary", "nothing", BASELINE, TWENTY_PERCENT)));
        assertEquals(List.of(FAIL, PASS, ERROR), results.stream().map(GateResult::status).toList());
        assertEquals(GateKind.COMPARE, results.get(0).kind());
        assertEquals(3, prometheus.requests.size(), "canary, baseline and the other canary, once each");
        assertTrue(results.get(2).detail().startsWith("canary: no data for nothing;"), results.get(2).detail());
    }
}
