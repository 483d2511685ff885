package dev.rollout.plan;

import java.util.List;

import dev.rollout.gate.GateDefinition;

/**
 * Body of {@code POST /plans}. Enumerations and durations arrive as strings so that the validator can
 * name every problem at once instead of failing on the first bad value.
 */
public record PlanRequest(
        String name,
        Integer version,
        String mode,
        String onViolation,
        String minTotalDuration,
        String finalBake,
        List<StepRequest> steps,
        List<GateDefinition> gates,
        PlanWebhook webhook) {

    /** A plan without a step webhook. */
    public PlanRequest(String name, Integer version, String mode, String onViolation, String minTotalDuration,
            String finalBake, List<StepRequest> steps, List<GateDefinition> gates) {
        this(name, version, mode, onViolation, minTotalDuration, finalBake, steps, gates, null);
    }

    public record StepRequest(Double percentage, String minDwell) {
    }
}
