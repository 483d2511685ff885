package dev.rollout.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.rollout.gate.GateDefinition;
import dev.rollout.gate.GateKind;

/**
 * What {@code POST /plans/preview} answers: whether the plan would be accepted, the problems if not, the
 * schedule a rollout of it keeps at the earliest, and lint warnings about risky but valid choices. Built from
 * the request and the validator's problems only: no I/O, nothing stored.
 *
 * <p>Warnings, each with a stable code:
 * <ul>
 * <li>{@code no-gates}: the plan has no gate, so nothing but time stands between a step and the next;</li>
 * <li>{@code shadow-only-gates}: every gate is a shadow ({@code "shadow": true}): evaluated and recorded, but
 * nothing ever blocks an advance or triggers a policy;</li>
 * <li>{@code no-alert-gate}: enforced gates, but none of kind {@code no-firing-alerts}: firing alerts go
 * unnoticed;</li>
 * <li>{@code automatic-without-gates}: an AUTOMATIC plan with no enforced gate walks to 100 % on time alone;</li>
 * <li>{@code short-final-bake}: the final bake is missing or under {@link #MIN_FINAL_BAKE};</li>
 * <li>{@code large-first-step}: the first step exposes more than {@link #MAX_FIRST_STEP} % at once;</li>
 * <li>{@code large-jump}: a step raises the percentage by more than {@link #MAX_JUMP} points;</li>
 * <li>{@code approval-by-unused}: {@code approvalBy} is set but no step needs an approval, so it never applies.</li>
 * <li>{@code advance-windows}: steps are entered only inside the plan's advance windows, so a step due outside
 * one waits for the next opening and the rollout takes longer than the schedule says.</li>
 * </ul>
 */
public record PlanPreview(
        boolean valid,
        List<String> errors,
        List<Warning> warnings,
        @Schema(description = "Each step with the earliest time after the start at which it can be entered; "
                + "empty when the plan is not valid") List<ScheduledStep> schedule,
        @Schema(description = "The least time from start to COMPLETED: every dwell plus the final bake; "
                + "null when the plan is not valid") String minimumDuration) {

    public static final Duration MIN_FINAL_BAKE = Duration.ofMinutes(30);
    public static final double MAX_FIRST_STEP = 10;
    public static final double MAX_JUMP = 50;

    /** A lint finding: {@code code} is stable for scripts, {@code message} says what and why. */
    public record Warning(String code, String message) {
    }

    /**
     * One step: its percentage, its minimum dwell (as stored), and {@code earliestAfter}, the earliest time
     * after the start at which it can be entered (the dwells of the steps before it), and {@code approval}:
     * whether entering it also needs an operator's approval (then it is entered no earlier than approved).
     */
    public record ScheduledStep(double percentage, String minDwell, String earliestAfter, boolean approval) {

        /** A step that needs no approval. */
        public ScheduledStep(double percentage, String minDwell, String earliestAfter) {
            this(percentage, minDwell, earliestAfter, false);
        }
    }

    /** The preview of {@code request}, whose validation found {@code errors} (empty: valid). */
    public static PlanPreview of(PlanRequest request, List<String> errors) {
        if (!errors.isEmpty()) {
            return new PlanPreview(false, List.copyOf(errors), List.of(), List.of(), null);
        }
        List<ScheduledStep> schedule = new ArrayList<>();
        Duration elapsed = Duration.ZERO;
        for (PlanRequest.StepRequest step : request.steps()) {
            schedule.add(new ScheduledStep(step.percentage(), PlanDurations.normalize(step.minDwell()),
                    PlanDurations.format(elapsed), Boolean.TRUE.equals(step.approval())));
            elapsed = elapsed.plus(PlanDurations.of(step.minDwell()));
        }
        Duration minimum = elapsed.plus(PlanDurations.of(request.finalBake()));
        return new PlanPreview(true, List.of(), warnings(request), schedule, PlanDurations.format(minimum));
    }

    /** The lint of a valid plan, in the order listed in the class comment. */
    static List<Warning> warnings(PlanRequest request) {
        List<Warning> warnings = new ArrayList<>();
        List<GateDefinition> gates = request.gates() == null ? List.of() : request.gates();
        List<GateDefinition> enforced = gates.stream().filter(g -> !g.shadowed()).toList();
        if (gates.isEmpty()) {
            warnings.add(new Warning("no-gates", "the plan has no gates: only time stands between one step "
                    + "and the next, and no violation can pause or roll it back"));
        } else if (enforced.isEmpty()) {
            warnings.add(new Warning("shadow-only-gates", "every gate is a shadow: they are evaluated and recorded, "
                    + "but none blocks an advance or pauses or rolls back the rollout"));
        } else if (enforced.stream().noneMatch(g -> g.kind() == GateKind.NO_FIRING_ALERTS)) {
            warnings.add(new Warning("no-alert-gate", "no enforced gate of kind no-firing-alerts: alerts that fire "
                    + "during the rollout do not hold it"));
        }
        if (enforced.isEmpty() && Mode.AUTOMATIC.name().equals(request.mode())) {
            warnings.add(new Warning("automatic-without-gates", "an AUTOMATIC plan without gates advances to "
                    + "100 % on time alone, whatever the health of the target"));
        }
        Duration bake = PlanDurations.of(request.finalBake());
        if (bake.compareTo(MIN_FINAL_BAKE) < 0) {
            warnings.add(new Warning("short-final-bake", (bake.isZero() ? "no final bake"
                    : "a final bake of " + PlanDurations.format(bake)) + ": the rollout completes less than "
                    + MIN_FINAL_BAKE.toMinutes() + " minutes after reaching 100 % plus its last dwell"));
        }
        double previous = 0;
        List<PlanRequest.StepRequest> steps = request.steps();
        for (int i = 0; i < steps.size(); i++) {
            double percentage = steps.get(i).percentage();
            if (i == 0 && percentage > MAX_FIRST_STEP) {
                warnings.add(new Warning("large-first-step", "steps[0]: the first step exposes " + number(percentage)
                        + " % at once (more than " + number(MAX_FIRST_STEP) + " %)"));
            }
            if (percentage - previous > MAX_JUMP) {
                warnings.add(new Warning("large-jump", "steps[" + i + "]: a jump of " + number(percentage - previous)
                        + " percentage points, from " + number(previous) + " % to " + number(percentage)
                        + " % (more than " + number(MAX_JUMP) + ")"));
            }
            previous = percentage;
        }
        if (request.approvalBy() != null && steps.stream().noneMatch(s -> Boolean.TRUE.equals(s.approval()))) {
            warnings.add(new Warning("approval-by-unused", "approvalBy is " + request.approvalBy() + " but no step "
                    + "has \"approval\": true, so no step waits for an approval"));
        }
        if (request.advanceWindows() != null && !request.advanceWindows().isEmpty()) {
            warnings.add(new Warning("advance-windows", "steps are entered only inside the advance windows ("
                    + AdvanceWindows.describe(request.advanceWindows()) + "): the schedule is the least time; a step "
                    + "due outside a window waits for the next opening, so the rollout may take longer"));
        }
        return warnings;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
