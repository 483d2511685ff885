package dev.rollout.plan;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
        @Schema(description = "Who may approve steps that need approval: null, any operator; 'another-operator', "
                + "anyone but the rollout's starter") String approvalBy,
        List<AdvanceWindow> advanceWindows) {

    public static PlanView of(Plan plan) {
        return new PlanView(plan.name, plan.version, plan.mode, plan.onViolation, plan.minTotalDuration,
                plan.finalBake, plan.steps, plan.gates, plan.createdAt, plan.createdBy, plan.webhook,
                plan.approvalBy, plan.advanceWindows);
    }
}
