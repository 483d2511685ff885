package dev.rollout.plan;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

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
        Webhook webhook,
        @Schema(description = "Who may approve the steps that need approval: omitted, any operator; "
                + "'another-operator', anyone but the operator who started the rollout") String approvalBy,
        @Schema(description = "Optional: steps are entered only inside one of these windows (dwell keeps "
                + "counting outside them); left out: at any time") List<AdvanceWindow> advanceWindows) {

    /** A plan without a step webhook. */
    public PlanRequest(String name, Integer version, String mode, String onViolation, String minTotalDuration,
            String finalBake, List<StepRequest> steps, List<GateDefinition> gates) {
        this(name, version, mode, onViolation, minTotalDuration, finalBake, steps, gates, null, null, null);
    }

    /** A plan whose approvals any operator may give, without advance windows. */
    public PlanRequest(String name, Integer version, String mode, String onViolation, String minTotalDuration,
            String finalBake, List<StepRequest> steps, List<GateDefinition> gates, Webhook webhook) {
        this(name, version, mode, onViolation, minTotalDuration, finalBake, steps, gates, webhook, null, null);
    }

    /** A plan without advance windows. */
    public PlanRequest(String name, Integer version, String mode, String onViolation, String minTotalDuration,
            String finalBake, List<StepRequest> steps, List<GateDefinition> gates, Webhook webhook,
            String approvalBy) {
        this(name, version, mode, onViolation, minTotalDuration, finalBake, steps, gates, webhook, approvalBy, null);
    }

    /** A plan whose approvals any operator may give. */
    public PlanRequest(String name, Integer version, String mode, String onViolation, String minTotalDuration,
            String finalBake, List<StepRequest> steps, List<GateDefinition> gates, Webhook webhook,
            List<AdvanceWindow> advanceWindows) {
        this(name, version, mode, onViolation, minTotalDuration, finalBake, steps, gates, webhook, null,
                advanceWindows);
    }

    /**
     * One step; {@code approval}: true when entering it needs an operator's
     * {@code POST /rollouts/{id}/approve} in addition to dwell and gates.
     */
    public record StepRequest(Double percentage, String minDwell,
            @Schema(description = "true: entering this step needs an operator's approval") Boolean approval) {

        public StepRequest(Double percentage, String minDwell) {
            this(percentage, minDwell, null);
        }
    }

    /**
     * A plan's step webhook: {@code {"endpoint": "<name>"}}, an endpoint the administrator configured.
     * {@code url} and {@code secretRef} are the shape plans used before; they are read only so that a plan
     * still sending them is refused with a message saying what to send instead.
     */
    public record Webhook(String endpoint,
            @Schema(deprecated = true, description = "No longer accepted: name an endpoint instead") String url,
            @Schema(deprecated = true, description = "No longer accepted: name an endpoint instead") String secretRef) {

        public static Webhook endpoint(String name) {
            return new Webhook(name, null, null);
        }
    }
}
