package dev.rollout.rollout;

import java.time.Instant;
import java.util.UUID;

import dev.rollout.plan.Mode;

/**
 * The JSON shape of a rollout. {@code earliestAdvanceAt} is null unless the rollout is PROGRESSING;
 * {@code nextPercentage} is null once the rollout is finished (COMPLETED, ROLLED_BACK, ABORTED): it goes
 * nowhere next. {@code awaitingApproval} is true while the next step needs an operator's approval it does not
 * have; {@code approval} is the approval held for the next step, null when there is none. {@code heldSince} is
 * set while gates in ERROR hold the rollout ({@code onError: HOLD}): the dwell does not count meanwhile, so
 * {@code earliestAdvanceAt} moves later by the time held when the hold ends; {@code dwellExtendedBy} is what the
 * holds that ended have added to the current dwell (ISO-8601, {@code PT0S} for none).
 */
public record RolloutView(
        UUID id,
        String plan,
        int planVersion,
        Mode mode,
        String target,
        String version,
        RolloutState state,
        double currentPercentage,
        int stepIndex,
        int stepCount,
        Double nextPercentage,
        Instant stepEnteredAt,
        Instant dwellStartedAt,
        Instant earliestAdvanceAt,
        Instant startedAt,
        Instant finishedAt,
        Instant updatedAt,
        String startedBy,
        boolean awaitingApproval,
        Approval approval,
        Instant heldSince,
        String dwellExtendedBy) {

    /** An operator's approval to enter step {@code stepIndex} (at {@code percentage} %). */
    public record Approval(int stepIndex, double percentage, String approvedBy, Instant approvedAt, String reason) {
    }

    public static RolloutView of(Rollout r) {
        Double next = r.nextPercentage();
        return new RolloutView(r.id, r.plan.name, r.plan.version, r.plan.mode, r.target, r.version, r.state,
                r.currentPercentage, r.stepIndex, r.stepCount, next, r.stepEnteredAt, r.dwellStartedAt,
                r.state == RolloutState.PROGRESSING ? r.earliestAdvanceAt : null, r.startedAt, r.finishedAt,
                r.updatedAt, r.startedBy, r.awaitsApproval(), r.state.isActive() && r.nextStepApproved()
                        ? new Approval(r.approvedStep, r.plan.steps.get(r.approvedStep).percentage(), r.approvedBy,
                                r.approvedAt, r.approvalReason)
                        : null,
                r.holdStartedAt, r.dwellHeld().toString());
    }
}
