package dev.rollout.gate;

import dev.rollout.gate.GateRules.Verdict;
import dev.rollout.gate.InstantQueryResult.ResultType;
import dev.rollout.gate.InstantQueryResult.Sample;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static dev.rollout.gate.GateStatus.ERROR;
import static dev.rollout.gate.GateStatus.FAIL;
import static dev.rollout.gate.GateStatus.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;

class GateRulesTest {

    private static final String UP = "up{job=\"orch\"}";

    private static InstantQueryResult vector(double... values) {
        return new InstantQueryResult(ResultType.VECTOR, IntStream.range(0, values.length)
                .mapToObj(i -> new Sample(Map.of("job", "orch", "instance", "10.0.0." + i + ":8080"), values[i]))
                .toList());
    }

    private static InstantQueryResult scalar(double value) {
        return new InstantQueryResult(ResultType.SCALAR, List.of(new Sample(Map.of(), value)));
    }

    private static final InstantQueryResult MATRIX = new InstantQueryResult(ResultType.MATRIX, List.of());
    private static final InstantQueryResult STRING = new InstantQueryResult(ResultType.STRING, List.of());

    @Test
    void targetUpNeedsSeriesThatAreAllOne() {
        assertEquals(new Verdict(PASS, UP + ": 2 series, all 1"), GateRules.targetUp(UP, vector(1, 1)));
        assertEquals(new Verdict(FAIL, "no data for " + UP), GateRules.targetUp(UP, vector()));
        assertEquals(new Verdict(FAIL, UP + " is not 1 for 2 of 3 series: "
                        + "{instance=\"10.0.0.1:8080\", job=\"orch\"} = 0, {instance=\"10.0.0.2:8080\", job=\"orch\"} = NaN"),
                GateRules.targetUp(UP, vector(1, 0, Double.NaN)));
        assertEquals(FAIL, GateRules.targetUp(UP, vector(2)).status());
        assertEquals(FAIL, GateRules.targetUp(UP, vector(Double.POSITIVE_INFINITY)).status());
        assertEquals(new Verdict(ERROR, UP + " returned a scalar, expected an instant vector"),
                GateRules.targetUp(UP, scalar(1)));
        assertEquals(ERROR, GateRules.targetUp(UP, MATRIX).status());
    }

    @Test
    void targetUpListsAtMostTenSeries() {
        String detail = GateRules.targetUp(UP, vector(new double[12])).detail();
        assertEquals(true, detail.endsWith(", and 2 more"), detail);
    }

    @Test
    void metricPresentNeedsAtLeastOneSeries() {
        assertEquals(new Verdict(PASS, "m_total: 2 series"), GateRules.metricPresent("m_total", vector(0, Double.NaN)));
        assertEquals(new Verdict(FAIL, "no data for m_total"), GateRules.metricPresent("m_total", vector()));
        assertEquals(new Verdict(ERROR, "m_total returned a matrix, expected an instant vector"),
                GateRules.metricPresent("m_total", MATRIX));
    }

    @Test
    void combiningLetsErrorsWinOverFailuresAndShowsOnlyProblems() {
        Verdict pass = Verdict.pass("a: 1 series");
        Verdict fail = Verdict.fail("no data for b");
        Verdict error = Verdict.error("connection refused to Prometheus at p:9090");
        assertEquals(new Verdict(PASS, "a: 1 series; b: 2 series"),
                GateRules.combine(List.of(pass, Verdict.pass("b: 2 series"))));
        assertEquals(new Verdict(FAIL, "no data for b"), GateRules.combine(List.of(pass, fail)));
        assertEquals(new Verdict(ERROR, "no data for b; connection refused to Prometheus at p:9090"),
                GateRules.combine(List.of(fail, error, error)));
    }

    @Test
    void noFiringAlertsListsNamesAndCount() {
        List<AlertMatcher> matchers = List.of(AlertMatcher.parse("severity=~warning|critical"));
        assertEquals(new Verdict(PASS, "no firing alerts matching severity=~\"warning|critical\""),
                GateRules.noFiringAlerts(matchers, List.of()));
        Alert testSuite = new Alert(Map.of("alertname", "TestSuiteNotRunning"), "active", List.of(), List.of());
        Alert metrics = new Alert(Map.of("alertname", "ObservabilityMetricsMissing"), "active", List.of(), List.of());
        assertEquals(new Verdict(FAIL, "3 firing alerts matching severity=~\"warning|critical\": "
                        + "ObservabilityMetricsMissing, TestSuiteNotRunning (x2)"),
                GateRules.noFiringAlerts(matchers, List.of(testSuite, metrics, testSuite)));
        assertEquals(new Verdict(FAIL, "1 firing alert matching severity=~\"warning|critical\": TestSuiteNotRunning"),
                GateRules.noFiringAlerts(matchers, List.of(testSuite)));
    }

    @Test
    void thresholdComparesAScalarOrASingleSeries() {
        Condition below = Condition.parse("< 0.01");
        assertEquals(new Verdict(PASS, "err = 0.003, satisfies < 0.01"), GateRules.threshold("err", below, null, scalar(0.003)));
        assertEquals(new Verdict(FAIL, "err = 0.05, does not satisfy < 0.01"),
                GateRules.threshold("err", below, null, vector(0.05)));
        assertEquals(new Verdict(FAIL, "no data for err"), GateRules.threshold("err", below, null, vector()));
        assertEquals(new Verdict(FAIL, "value is NaN for err, which never satisfies < 0.01"),
                GateRules.threshold("err", below, null, vector(Double.NaN)));
        assertEquals(new Verdict(FAIL, "value is NaN for err, which never satisfies != 0"),
                GateRules.threshold("err", Condition.parse("!= 0"), null, scalar(Double.NaN)));
        assertEquals(new Verdict(PASS, "err = -Inf, satisfies < 0.01"),
                GateRules.threshold("err", below, null, scalar(Double.NEGATIVE_INFINITY)));
        assertEquals(new Verdict(FAIL, "err = +Inf, does not satisfy < 0.01"),
                GateRules.threshold("err", below, null, scalar(Double.POSITIVE_INFINITY)));
        assertEquals(new Verdict(PASS, "err = +Inf, satisfies > 1000"),
                GateRules.threshold("err", Condition.parse("> 1000"), null, vector(Double.POSITIVE_INFINITY)));
    }

    @Test
    void thresholdNeedsOneSeriesUnlessAggregated() {
        Condition below = Condition.parse("< 1");
        assertEquals(new Verdict(ERROR, "expected one series, got 3 for err (aggregate them in the query or set "
                + "aggregate to min, max, sum or avg)"), GateRules.threshold("err", below, null, vector(0.1, 0.2, 0.3)));
        assertEquals(new Verdict(PASS, "max of 3 series of err = 0.5, satisfies < 1"),
                GateRules.threshold("err", below, Aggregate.MAX, vector(0.1, 0.5, 0.3)));
        assertEquals(new Verdict(PASS, "min of 2 series of err = 0.1, satisfies < 1"),
                GateRules.threshold("err", below, Aggregate.MIN, vector(2, 0.1)));
        assertEquals(new Verdict(FAIL, "sum of 3 series of err = 1.5, does not satisfy < 1"),
                GateRules.threshold("err", below, Aggregate.SUM, vector(0.5, 0.5, 0.5)));
        assertEquals(new Verdict(PASS, "avg of 2 series of err = 0.5, satisfies < 1"),
                GateRules.threshold("err", below, Aggregate.AVG, vector(0.25, 0.75)));
        assertEquals(new Verdict(FAIL, "value is NaN for max of 2 series of err, which never satisfies < 1"),
                GateRules.threshold("err", below, Aggregate.MAX, vector(0.1, Double.NaN)));
        assertEquals(new Verdict(FAIL, "value is NaN for sum of 2 series of err, which never satisfies < 1"),
                GateRules.threshold("err", below, Aggregate.SUM,
                        vector(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)));
        assertEquals(new Verdict(FAIL, "no data for err"), GateRules.threshold("err", below, Aggregate.MAX, vector()));
    }

    @Test
    void thresholdRefusesMatrixAndStringResults() {
        Condition below = Condition.parse("< 1");
        assertEquals(new Verdict(ERROR, "rate(x[5m])[10m:] returned a matrix, expected an instant vector or a scalar"),
                GateRules.threshold("rate(x[5m])[10m:]", below, null, MATRIX));
        assertEquals(new Verdict(ERROR, "\"x\" returned a string, expected an instant vector or a scalar"),
                GateRules.threshold("\"x\"", below, null, STRING));
    }

    @Test
    void longQueriesAreShortenedInDetails() {
        String query = "x".repeat(500);
        String detail = GateRules.threshold(query, Condition.parse("< 1"), null, scalar(0)).detail();
        assertEquals("x".repeat(199) + "… = 0, satisfies < 1", detail);
    }
}
