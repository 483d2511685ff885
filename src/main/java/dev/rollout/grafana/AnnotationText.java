package dev.rollout.grafana;

import static dev.rollout.outbox.RolloutEvent.percent;

import java.util.List;

import dev.rollout.gate.GateResult;
import dev.rollout.history.EventDetails;

import dev.rollout.outbox.RolloutEvent;

/** The sentence an annotation shows: what happened, from/to percentage, who, why, and failing gates. */
public final class AnnotationText {

    private AnnotationText() {}

    public static String of(RolloutEvent e) {
        StringBuilder text = new StringBuilder();
        text.append(e.target()).append(' ').append(e.version()).append(": ");
        String from = percent(e.fromPercentage());
        String to = percent(e.toPercentage());
        switch (e.action()) {
            case STARTED -> text.append("rollout started at 0 % (plan ").append(e.plan()).append(" v")
                    .append(e.planVersion()).append(", ").append(e.mode()).append(')');
            case STEP -> text.append("stepped from ").append(from).append(" % to ").append(to).append(" %");
            case ADVANCE_REFUSED -> text.append("advance from ").append(from).append(" %")
                    .append(e.toPercentage() == null ? "" : " to " + to + " %").append(" refused: ")
                    .append(e.reason() == null ? "refused" : e.reason());
            case GATE_VIOLATION -> text.append("gate violation at ").append(from).append(" %, policy ")
                    .append(e.onViolation());
            case PAUSED -> text.append("paused at ").append(from).append(" %");
            case RESUMED -> text.append("resumed at ").append(from).append(" %; a fresh dwell starts");
            case ROLLED_BACK -> text.append("rolled back from ").append(from).append(" % to ").append(to).append(" %");
            case ABORTED -> text.append("aborted at ").append(from).append(" %");
            case COMPLETED -> text.append("completed at ").append(to).append(" %");
            case OVERRIDE -> text.append("override from ").append(from).append(" % to ").append(to).append(" %");
        }
        text.append(" by ").append(e.actor());
        if (e.reason() != null && !e.reason().isBlank() && e.action() != dev.rollout.history.Action.ADVANCE_REFUSED) {
            text.append(". Reason: ").append(e.reason());
        }
        if (e.details() instanceof EventDetails.Refused refused && refused.detail() != null) {
            text.append(". ").append(refused.detail());
        }
        String gates = failingGates(e.details().gates());
        if (!gates.isEmpty()) {
            text.append(". Failing gates: ").append(gates);
        }
        return text.toString();
    }

    /** "orchestrator-up (FAIL: no series), no-alerts (ERROR: timeout)" from an event's gate results, if any. */
    static String failingGates(List<GateResult> gates) {
        if (gates == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (GateResult gate : gates) {
            if (!gate.passed()) {
                if (out.length() > 0) {
                    out.append(", ");
                }
                out.append(gate.name()).append(" (").append(gate.status());
                if (gate.detail() != null) {
                    out.append(": ").append(gate.detail());
                }
                out.append(')');
            }
        }
        return out.toString();
    }
}
