package dev.rollout.gate;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateDefinitionValidatorTest {

    private static final Set<String> SOURCES = Set.of("eu", "us");

    private static List<String> validate(GateDefinition... gates) {
        return GateDefinitionValidator.validate(Arrays.asList(gates), SOURCES);
    }

    private static void assertProblem(String expected, GateDefinition... gates) {
        List<String> problems = validate(gates);
        assertTrue(problems.contains(expected), () -> "expected <" + expected + "> in " + problems);
    }

    @Test
    void perGatePoliciesAreCheckedAndNamed() {
        GateDefinition up = GateDefinition.targetUp("up", "up");
        assertEquals(List.of(), validate(up.withPolicies("PAUSE", "HOLD"), GateDefinition.targetUp("b", "up")
                .withPolicies("ROLLBACK", "ROLLBACK").asShadow(), GateDefinition.targetUp("c", "up")
                .withPolicies(null, "PAUSE")));
        assertProblem("gates[0].onFail: must be PAUSE or ROLLBACK (default: the plan's onViolation), got 'HOLD'",
                up.withPolicies("HOLD", null));
        assertProblem("gates[0].onError: must be HOLD, PAUSE or ROLLBACK (default: HOLD), got 'pause'",
                up.withPolicies(null, "pause"));
    }

    @Test
    void acceptsThePlanFromTheDesign() {
        assertEquals(List.of(), validate(
                GateDefinition.targetUp("orchestrator-up", "up{job=\"genesis-orchestrator\"}"),
                GateDefinition.metricsPresent("app-metrics",
                        List.of("genesis_operation_duration_seconds_count", "genesis_tests_total_total")),
                GateDefinition.noFiringAlerts("no-alerts", List.of("severity=~\"warning|critical\"")),
                GateDefinition.queryThreshold("error-rate", "sum(rate(errors[5m])) / sum(rate(requests[5m]))", "< 0.01"),
                GateDefinition.queryThreshold("p99", "latency", "<= 0.5").withAggregate("max").withSource("eu")));
        assertEquals(List.of(), GateDefinitionValidator.validate(null, SOURCES));
        assertEquals(List.of(), GateDefinitionValidator.validate(List.of(), Set.of()));
    }

    @Test
    void namesAreRequiredUniqueAndSafe() {
        assertProblem("gates[0].name: required", GateDefinition.targetUp(null, "up"));
        assertProblem("gates[0].name: required", GateDefinition.targetUp("", "up"));
        assertProblem("gates[1].name: duplicate gate name 'up'",
                GateDefinition.targetUp("up", "up"), GateDefinition.targetUp("up", "up{job=\"b\"}"));
        for (String bad : List.of("-up", "up gate", "up/1", "ü", "a".repeat(64))) {
            assertTrue(validate(GateDefinition.targetUp(bad, "up")).get(0).startsWith("gates[0].name: must be 1-63"), bad);
        }
        assertEquals(List.of(), validate(GateDefinition.targetUp("A.b_c-9", "up"),
                GateDefinition.targetUp("a".repeat(63), "up")));
    }

    @Test
    void kindIsRequired() {
        assertProblem("gates[0].kind: required, one of target-up, metrics-present, no-firing-alerts, query-threshold, burn-rate, compare",
                new GateDefinition("g", null, "up", null, null, null, null, null));
    }

    @Test
    void eachKindNeedsItsFieldsAndRefusesTheOthers() {
        assertProblem("gates[0].query: required for kind target-up", GateDefinition.targetUp("g", " "));
        assertProblem("gates[0].query: required for kind query-threshold", GateDefinition.queryThreshold("g", null, "< 1"));
        assertProblem("gates[0].condition: required for kind query-threshold, e.g. \"< 0.01\"",
                GateDefinition.queryThreshold("g", "x", null));
        assertProblem("gates[0].metrics: required for kind metrics-present, 1 to 64 entries",
                GateDefinition.metricsPresent("g", List.of()));
        assertProblem("gates[0].matchers: required for kind no-firing-alerts, 1 to 64 entries",
                GateDefinition.noFiringAlerts("g", null));

        GateDefinition everything = new GateDefinition("g", GateKind.TARGET_UP, "up", List.of("m"),
                List.of("a=b"), "< 1", "max", null);
        assertEquals(List.of("gates[0].metrics: not allowed for kind target-up",
                "gates[0].matchers: not allowed for kind target-up",
                "gates[0].condition: not allowed for kind target-up",
                "gates[0].aggregate: not allowed for kind target-up"), validate(everything));
        assertEquals(List.of("gates[0].query: not allowed for kind no-firing-alerts"),
                validate(new GateDefinition("g", GateKind.NO_FIRING_ALERTS, "up", null, List.of("a=b"), null, null, null)));
        assertEquals(List.of("gates[0].query: not allowed for kind metrics-present"),
                validate(new GateDefinition("g", GateKind.METRICS_PRESENT, "up", List.of("m"), null, null, null, null)));
        assertEquals(List.of("gates[0].metrics: not allowed for kind query-threshold"),
                validate(new GateDefinition("g", GateKind.QUERY_THRESHOLD, "up", List.of("m"), null, "< 1", null, null)));
    }

    @Test
    void limitsSizes() {
        assertProblem("gates[0].query: at most 4096 characters, got 4097", GateDefinition.targetUp("g", "x".repeat(4097)));
        assertEquals(List.of(), validate(GateDefinition.targetUp("g", "x".repeat(4096))));

        assertProblem("gates[0].metrics: at most 64 entries, got 65",
                GateDefinition.metricsPresent("g", Collections.nCopies(65, "m")));
        assertProblem("gates[0].metrics[1]: at most 1024 characters, got 1025",
                GateDefinition.metricsPresent("g", List.of("m", "m".repeat(1025))));
        assertProblem("gates[0].metrics[0]: must not be blank", GateDefinition.metricsPresent("g", List.of(" ")));
        assertProblem("gates[0].metrics[0]: must not be null",
                GateDefinition.metricsPresent("g", Arrays.asList((String) null)));

        assertProblem("gates[0].matchers: at most 64 entries, got 65",
                GateDefinition.noFiringAlerts("g", Collections.nCopies(65, "a=b")));

        assertProblem("gates[0].matchers[0]: at most 1024 characters, got 1025",
                GateDefinition.noFiringAlerts("g", List.of("a=" + "b".repeat(1023))));
        assertProblem("gates[0].condition: at most 64 characters, got 65",
                GateDefinition.queryThreshold("g", "up", "<" + " ".repeat(63) + "1"));

        List<GateDefinition> many = new ArrayList<>();
        IntStream.range(0, 33).forEach(i -> many.add(GateDefinition.targetUp("g" + i, "up")));
        assertEquals(List.of("gates: at most 32 gates are allowed, got 33"), GateDefinitionValidator.validate(many, SOURCES));
        assertEquals(List.of(), GateDefinitionValidator.validate(many.subList(0, 32), SOURCES));
    }

    @Test
    void checksMatchersConditionsAggregatesAndSources() {
        assertProblem("gates[0].matchers[1]: invalid regular expression in matcher severity=~\"(warning\": "
                        + "Unclosed group",
                GateDefinition.noFiringAlerts("g", List.of("a=b", "severity=~\"(warning\"")));
        assertTrue(validate(GateDefinition.noFiringAlerts("g", List.of("severity"))).get(0)
                .startsWith("gates[0].matchers[0]: bad matcher format"));
        assertTrue(validate(GateDefinition.queryThreshold("g", "x", "less than 1")).get(0)
                .startsWith("gates[0].condition: expected an operator"));
        assertProblem("gates[0].condition: threshold must be a finite number: < 1e400",
                GateDefinition.queryThreshold("g", "x", "< 1e400"));
        assertProblem("gates[0].aggregate: must be one of min, max, sum, avg",
                GateDefinition.queryThreshold("g", "x", "< 1").withAggregate("median"));
        assertProblem("gates[0].source: unknown monitoring source 'asia', configured: eu, us",
                GateDefinition.targetUp("g", "up").withSource("asia"));
        assertEquals(List.of("gates[0].source: unknown monitoring source 'eu', no named sources are configured"),
                GateDefinitionValidator.validate(List.of(GateDefinition.targetUp("g", "up").withSource("eu")), Set.of()));
    }

    @Test
    void reportsEveryProblemWithItsIndex() {
        List<String> problems = GateDefinitionValidator.validate(Arrays.asList(
                GateDefinition.targetUp("ok", "up"),
                null,
                GateDefinition.queryThreshold("bad name", "x", "<")), SOURCES);
        assertEquals(3, problems.size(), problems::toString);
        assertEquals("gates[1]: must not be null", problems.get(0));
        assertTrue(problems.get(1).startsWith("gates[2].name:"));
        assertTrue(problems.get(2).startsWith("gates[2].condition:"));
    }
}
