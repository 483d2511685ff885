package dev.rollout.plan;

import java.time.Instant;
import java.util.List;

import dev.rollout.gate.GateDefinition;

/** The JSON shape of a plan in responses. */
public record PlanView(
        String name,
        int version,
        Mode mode,
        ViolationPolicy onViolation,
        String minTotalDuration,
        String finalBake,
        List<PlanStep> steps,
        List<GateDefinition> gates,
        Instant createdAt,
        String createdBy,
        PlanWebhook webhook,
        List<AdvanceWindow> advanceWindows) {

    public static PlanView of(Plan plan) {
        return new PlanView(plan.name, plan.version, plan.mode, plan.onViolation, plan.minTotalDuration,
                plan.finalBake, plan.steps, plan.gates, plan.createdAt, plan.createdBy, plan.webhook,
                plan.advanceWindows);
    }
}
