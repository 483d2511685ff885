package dev.rollout.outbox;

import java.time.Instant;
import java.util.UUID;

import dev.rollout.history.Action;
import dev.rollout.history.EventDetails;
import dev.rollout.plan.Mode;
import dev.rollout.plan.PlanWebhook;
import dev.rollout.plan.ViolationPolicy;
import dev.rollout.rollout.RolloutState;

/**
 * A history event together with what the outside world needs to make sense of it: the rollout's plan,
 * target and version, and the rollout's state right after the event. Built inside the event's own
 * transaction; observers that must only see committed events observe it with
 * {@code during = TransactionPhase.AFTER_SUCCESS}.
 */
public record RolloutEvent(
        long seq,
        UUID rolloutId,
        Instant at,
        Action action,
        Double fromPercentage,
        Double toPercentage,
        String actor,
        String reason,
        EventDetails details,
        String plan,
        int planVersion,
        Mode mode,
        ViolationPolicy onViolation,
        PlanWebhook webhook,
        String target,
        String version,
        Rollout rollout) {

    /** The rollout as it is once the event's transaction commits. */
    public record Rollout(RolloutState state, double currentPercentage, int stepIndex, Instant dwellStartedAt,
            Instant earliestAdvanceAt, boolean awaitingApproval) {
    }

    /**
     * True when the event changed the percentage of traffic the new version gets: only entering a step and
     * rolling back move traffic. Other events name percentages without moving anything: a refusal and an
     * approval name the step they are about, and an override records the step that the {@code step} event
     * right after it enters.
     */
    public boolean changesPercentage() {
        return (action == Action.STEP || action == Action.ROLLED_BACK) && fromPercentage != null
                && toPercentage != null && !fromPercentage.equals(toPercentage);
    }
}
