package dev.rollout.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.rollout.gate.GateDefinition;

/** The preview's schedule and lint, from the request alone. */
class PlanPreviewTest {

    private static final List<GateDefinition> SAFE_GATES = List.of(
            GateDefinition.targetUp("up", "up{job=\"api\"}"),
            GateDefinition.noFiringAlerts("alerts", List.of("severity=\"critical\"")));

    private static PlanRequest.StepRequest step(double percentage, String dwell) {
        return new PlanRequest.StepRequest(percentage, dwell);
    }

    private static PlanRequest plan(String mode, String bake, List<GateDefinition> gates,
            PlanRequest.StepRequest... steps) {
        return new PlanRequest("p", null, mode, "PAUSE", null, bake, List.of(steps), gates);
    }

    private static PlanPreview preview(PlanRequest request) {
        return PlanPreview.of(request, PlanValidator.validate(request, Set.of()));
    }

    private static List<String> codes(PlanPreview preview) {
        return preview.warnings().stream().map(PlanPreview.Warning::code).toList();
    }

    @Test
    void theScheduleAddsTheDwellsOfTheStepsBeforeEachStep() {
        PlanPreview preview = preview(plan("MANUAL", "PT4H", SAFE_GATES, step(5, "P1D"), step(10, "PT24H"),
                step(25, "pt24h"), step(50, "PT24H"), step(75, "PT72H"), step(100, "PT0S")));
        assertTrue(preview.valid());
        assertEquals(List.of(), preview.errors());
        assertEquals(List.of(
                new PlanPreview.ScheduledStep(5, "PT24H", "PT0S"),
                new PlanPreview.ScheduledStep(10, "PT24H", "P1D"),
                new PlanPreview.ScheduledStep(25, "PT24H", "P2D"),
                new PlanPreview.ScheduledStep(50, "PT24H", "P3D"),
                new PlanPreview.ScheduledStep(75, "PT72H", "P4D"),
                new PlanPreview.ScheduledStep(100, "PT0S", "P7D")), preview.schedule());
        // every dwell plus the final bake
        assertEquals("P7DT4H", preview.minimumDuration());
        assertEquals(List.of(), preview.warnings(), "a gated plan with small steps and a bake is not risky");
    }

    @Test
    void anInvalidPlanHasTheValidatorsErrorsAndNoSchedule() {
        PlanRequest bad = plan("SOMETIMES", null, null, step(10, "PT1H"), step(5, "PT1H"));
        PlanPreview preview = preview(bad);
        assertFalse(preview.valid());
        assertEquals(PlanValidator.validate(bad, Set.of()), preview.errors());
        assertFalse(preview.errors().isEmpty());
        assertEquals(List.of(), preview.schedule());
        assertNull(preview.minimumDuration());
        assertFalse(preview(null).valid());
    }

    @Test
    void noGatesAtAllIsRiskyAndMoreSoWhenAutomatic() {
        assertEquals(List.of("no-gates"), codes(preview(plan("MANUAL", "PT1H", null, step(10, "PT1H"),
                step(60, "PT1H"), step(100, "PT1H")))));
        assertEquals(List.of("no-gates", "automatic-without-gates"), codes(preview(plan("AUTOMATIC", "PT1H",
                List.of(), step(10, "PT1H"), step(60, "PT1H"), step(100, "PT1H")))));
    }

    @Test
    void gatesWithoutAnAlertGateAreNamed() {
        assertEquals(List.of("no-alert-gate"), codes(preview(plan("AUTOMATIC", "PT1H",
                List.of(GateDefinition.targetUp("up", "up{job=\"api\"}")), step(10, "PT1H"), step(50, "PT1H"),
                step(100, "PT1H")))));
    }

    @Test
    void shadowOnlyGatesAreNamedAndCountAsNoGateForAnAutomaticPlan() {
        List<GateDefinition> shadows = SAFE_GATES.stream().map(GateDefinition::asShadow).toList();
        assertEquals(List.of("shadow-only-gates"), codes(preview(plan("MANUAL", "PT1H", shadows, step(10, "PT1H"),
                step(50, "PT1H"), step(100, "PT1H")))));
        assertEquals(List.of("shadow-only-gates", "automatic-without-gates"), codes(preview(plan("AUTOMATIC", "PT1H",
                shadows, step(10, "PT1H"), step(50, "PT1H"), step(100, "PT1H")))));
        // An alert gate on trial does not watch alerts.
        assertEquals(List.of("no-alert-gate"), codes(preview(plan("MANUAL", "PT1H",
                List.of(SAFE_GATES.get(0), SAFE_GATES.get(1).asShadow()), step(10, "PT1H"), step(50, "PT1H"),
                step(100, "PT1H")))));
    }

    @Test
    void aMissingOrShortFinalBakeIsNamed() {
        assertEquals(List.of("short-final-bake"), codes(preview(plan("MANUAL", null, SAFE_GATES, step(10, "PT1H"),
                step(50, "PT1H"), step(100, "PT1H")))));
        PlanPreview shortBake = preview(plan("MANUAL", "PT29M", SAFE_GATES, step(10, "PT1H"), step(50, "PT1H"),
                step(100, "PT1H")));
        assertEquals(List.of("short-final-bake"), codes(shortBake));
        assertTrue(shortBake.warnings().get(0).message().contains("PT29M"), shortBake.warnings().get(0).message());
        assertEquals(List.of(), codes(preview(plan("MANUAL", "PT30M", SAFE_GATES, step(10, "PT1H"),
                step(50, "PT1H"), step(100, "PT1H")))));
    }

    @Test
    void largeFirstStepsAndJumpsAreNamedWithTheirStep() {
        PlanPreview preview = preview(plan("MANUAL", "PT1H", SAFE_GATES, step(20, "PT1H"), step(40, "PT1H"),
                step(90.5, "PT1H"), step(100, "PT1H")));
        assertEquals(List.of("large-first-step", "large-jump"), codes(preview));
        assertTrue(preview.warnings().get(0).message().startsWith("steps[0]:"), preview.warnings().get(0).message());
        assertEquals("steps[2]: a jump of 50.5 percentage points, from 40 % to 90.5 % (more than 50)",
                preview.warnings().get(1).message());
        // exactly 50 points is not more than 50; a single 100 % step is both
        assertEquals(List.of(), codes(preview(plan("MANUAL", "PT1H", SAFE_GATES, step(10, "PT1H"), step(50, "PT1H"),
                step(100, "PT1H")))));
        assertEquals(List.of("large-first-step", "large-jump"), codes(preview(plan("MANUAL", "PT1H", SAFE_GATES,
                step(100, "PT1H")))));
    }
}
