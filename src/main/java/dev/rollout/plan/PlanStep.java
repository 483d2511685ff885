package dev.rollout.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One step of a plan as stored: the percentage reached, the minimum dwell there (canonical ISO-8601), and
 * {@code approval}: true when entering the step needs an operator's approval; null otherwise (never false, so
 * plans stored before approvals existed read back equal).
 */
public record PlanStep(double percentage, String minDwell, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean approval) {

    public PlanStep(double percentage, String minDwell) {
        this(percentage, minDwell, null);
    }

    public PlanStep {
        approval = Boolean.TRUE.equals(approval) ? Boolean.TRUE : null;
    }

    public boolean needsApproval() {
        return approval != null;
    }
}
