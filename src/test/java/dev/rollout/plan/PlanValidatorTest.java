package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateDefinition;

class PlanValidatorTest {

    private static PlanRequest.StepRequest step(double percentage, String dwell) {
        return new PlanRequest.StepRequest(percentage, dwell);
    }

    private static List<PlanRequest.StepRequest> seed(String dwell) {
        return List.of(step(5, dwell), step(10, dwell), step(25, dwell), step(50, dwell), step(75, dwell),
                step(100, dwell));
    }

    private static PlanRequest plan(List<PlanRequest.StepRequest> steps, String minTotal, String bake) {
        return new PlanRequest("phase_4_deployment", null, "MANUAL", "PAUSE", minTotal, bake, steps, null);
    }

    @Test
    void acceptsTheSeedPlanWhenTheDwellsHonourSevenDays() {
        List<PlanRequest.StepRequest> steps = List.of(step(5, "PT28H"), step(10, "PT28H"), step(25, "PT28H"),
                step(50, "PT28H"), step(75, "PT28H"), step(100, "PT0S"));
        assertEquals(List.of(), PlanValidator.validate(plan(steps, "P7D", "PT28H"), Set.of()));
    }

    @Test
    void refusesDwellsThatCannotHonourTheMinimumTotalDuration() {
        // The brief's example: five days of dwell plus a one-hour bake is not seven days.
        List<PlanRequest.StepRequest> steps = List.of(step(5, "PT24H"), step(10, "PT24H"), step(25, "PT24H"),
                step(50, "PT24H"), step(75, "PT24H"), step(100, "PT0S"));
        List<String> problems = PlanValidator.validate(plan(steps, "P7D", "PT1H"), Set.of());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("minTotalDuration:"), problems.get(0));
        assertTrue(problems.get(0).contains("P7D"), problems.get(0));
    }

    @Test
    void namesEveryProblemAtOnce() {
        PlanRequest bad = new PlanRequest("bad name!", 0, "SOMETIMES", null, "soon", "-PT1H",
                List.of(step(10, "PT1H"), step(5, "1 hour"), step(100.5, "P91D")), null);
        List<String> problems = PlanValidator.validate(bad, Set.of());
        List<String> fields = problems.stream().map(p -> p.substring(0, p.indexOf(':'))).toList();
        assertEquals(List.of("name", "version", "mode", "onViolation", "steps[1].percentage", "steps[1].minDwell",
                "steps[2].percentage", "steps[2].minDwell", "steps", "finalBake", "minTotalDuration"), fields,
                problems.toString());
    }

    @Test
    void percentagesMustIncreaseStrictlyAndEndAtHundred() {
        assertHasProblem(plan(List.of(step(5, "PT0S"), step(5, "PT0S"), step(100, "PT0S")), null, null),
                "steps[1].percentage: must be greater than the previous step's 5.0");
        assertHasProblem(plan(List.of(step(5, "PT0S"), step(50, "PT0S")), null, null),
                "steps: the last step must be 100 percent");
        assertHasProblem(plan(List.of(step(0, "PT0S"), step(100, "PT0S")), null, null),
                "steps[0].percentage: must be greater than 0 and at most 100");
        assertHasProblem(plan(List.of(step(Double.NaN, "PT0S"), step(100, "PT0S")), null, null),
                "steps[0].percentage: must be greater than 0 and at most 100");
        assertEquals(List.of(), PlanValidator.validate(plan(List.of(step(100, "PT0S")), null, null), Set.of()));
    }

    @Test
    void boundsTheNumberOfSteps() {
        assertHasProblem(plan(List.of(), null, null), "steps: at least 1 step is required");
        assertHasProblem(plan(null, null, null), "steps: at least 1 step is required");
        List<PlanRequest.StepRequest> many = new ArrayList<>();
        for (int i = 1; i <= 101; i++) {
            many.add(step(i * 100.0 / 101, "PT0S"));
        }
        assertHasProblem(plan(many, null, null), "steps: at most 100 steps are allowed, got 101");
        assertEquals(List.of(), PlanValidator.validate(plan(many.subList(1, 101), null, null), Set.of()));
    }

    @Test
    void boundsDwellsBetweenZeroAndNinetyDays() {
        assertEquals(List.of(), PlanValidator.validate(plan(List.of(step(100, "P90D")), null, null), Set.of()));
        assertHasProblem(plan(List.of(step(100, "P90DT1S")), null, null), "steps[0].minDwell: must be at most P90D");
        assertHasProblem(plan(List.of(step(100, "-PT1S")), null, null), "steps[0].minDwell: must not be negative");
        assertHasProblem(plan(List.of(step(100, "P1M")), null, null), "steps[0].minDwell: must be a non-negative");
        assertHasProblem(plan(List.of(new PlanRequest.StepRequest(100.0, null)), null, null),
                "steps[0].minDwell: is required");
        assertHasProblem(plan(List.of(new PlanRequest.StepRequest(null, "PT0S")), null, null),
                "steps[0].percentage: is required");
    }

    @Test
    void validatesGatesWithThePlan() {
        PlanRequest incidentGates = new PlanRequest("p", null, "MANUAL", "PAUSE", null, null, seed("PT1H"), List.of(
                GateDefinition.targetUp("orchestrator-up", "up{job=\"genesis-orchestrator\"}"),
                GateDefinition.metricsPresent("app-metrics",
                        List.of("genesis_operation_duration_seconds_count", "genesis_tests_total_total")),
                GateDefinition.noFiringAlerts("no-alerts", List.of("severity=~\"warning|critical\""))));
        assertEquals(List.of(), PlanValidator.validate(incidentGates, Set.of()));
        PlanRequest badGates = new PlanRequest("p", null, "MANUAL", "PAUSE", null, null, seed("PT1H"), List.of(
                GateDefinition.targetUp("up", null), GateDefinition.queryThreshold("up", "x", "about 3")));
        List<String> problems = PlanValidator.validate(badGates, Set.of());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("gates[0].query")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("gates[1].name")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("gates[1].condition")), problems.toString());
        assertTrue(PlanValidator.validate(new PlanRequest("p", null, "MANUAL", "PAUSE", null, null, seed("PT1H"),
                List.of(GateDefinition.targetUp("up", "up").withSource("elsewhere"))), Set.of("primary"))
                .stream().anyMatch(p -> p.startsWith("gates[0].source")));
    }

    private static void assertHasProblem(PlanRequest request, String expectedStart) {
        List<String> problems = PlanValidator.validate(request, Set.of());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(expectedStart)),
                "expected a problem starting with '" + expectedStart + "' in " + problems);
    }
}
