package dev.rollout.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import dev.rollout.plan.Plan;
import dev.rollout.plan.StepSchedule;

/**
 * The state machine and the time rule, free of persistence so they can be tested on their own.
 * {@code now} is always the database clock's reading inside the transaction that will act.
 */
public final class RolloutRules {

    private RolloutRules() {}

    /** What an advance request leads to. */
    public sealed interface AdvanceDecision {
    }

    /** Move to the next step; {@code completes} when that step is 100 % with nothing left to wait for. */
    public record Enter(int stepIndex, double percentage, Instant earliestAdvanceAt, boolean completes)
            implements AdvanceDecision {
    }

    /** The final step's dwell and bake are over: the rollout is complete. */
    public record Complete() implements AdvanceDecision {
    }

    public record TooEarly(Instant earliestAdvanceAt, Duration remaining) implements AdvanceDecision {
    }

    public record NotProgressing(RolloutState state) implements AdvanceDecision {
    }

    /** The next step needs an operator's approval, and has none. */
    public record ApprovalRequired(int stepIndex, double percentage) implements AdvanceDecision {
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now) {
        return advance(state, stepIndex, dwellStartedAt, schedule, now, false, null);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, boolean override) {
        return advance(state, stepIndex, dwellStartedAt, schedule, now, override, null);
    }

    /**
     * What an advance leads to. {@code approvedStep} is the step the rollout holds an approval for (null: none).
     * With {@code override} (an admin's audited override) neither a dwell that is not over yet nor a missing
     * approval stops the move. The next step's dwell still starts at {@code now}, in full.
     *
     * <p>The refusals are checked cheapest and most final first, one block each, in the contract's order:
     * not-progressing, frozen, outside-window, too-early, approval-required; gates-failing is the caller's,
     * asked last (monitoring is the slowest).
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, boolean override, Integer approvedStep) {
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, override, approvedStep);
    }

    /** As below, with no approval held. */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now, boolean override) {
        return advance(state, stepIndex, dwellStartedAt, held, schedule, now, override, null);
    }

    /**
     * As above, for a dwell window of which {@code held} went unobserved (gates in ERROR under HOLD, see
     * {@link #held}): the dwell ends that much later.
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now, boolean override, Integer approvedStep) {
        // 1. not-progressing
        if (state != RolloutState.PROGRESSING) {
            return new NotProgressing(state);
        }
        // 2. frozen, 3. outside-window: not in this rule set yet
        // 4. too-early
        Instant earliest = schedule.earliestAdvanceAt(stepIndex, dwellStartedAt, held);
        if (!override && now.isBefore(earliest)) {
            return new TooEarly(earliest, Duration.between(now, earliest));
        }
        if (stepIndex >= schedule.lastIndex()) {
            return new Complete();
        }
        int next = stepIndex + 1;
        // 5. approval-required
        if (!override && awaitsApproval(schedule, stepIndex, approvedStep)) {
            return new ApprovalRequired(next, schedule.percentageAt(next));
        }
        // 6. gates-failing: asked by the caller once every rule here lets the move through
        boolean completes = next == schedule.lastIndex() && schedule.dwellAt(next).isZero();
        return new Enter(next, schedule.percentageAt(next), schedule.earliestAdvanceAt(next, now), completes);
    }

    /** Whether the step after {@code stepIndex} needs an approval that {@code approvedStep} does not give. */
    public static boolean awaitsApproval(StepSchedule schedule, int stepIndex, Integer approvedStep) {
        return awaitsApproval(schedule.needsApproval(stepIndex + 1), stepIndex, approvedStep);
    }

    /** As above, where the caller knows whether the next step needs an approval. */
    public static boolean awaitsApproval(boolean nextNeedsApproval, int stepIndex, Integer approvedStep) {
        return nextNeedsApproval && (approvedStep == null || approvedStep != stepIndex + 1);
    }

    /**
     * Why {@code actor} may not approve the next step of a rollout; empty when the approval may be given (or
     * already was: approving an approved step again changes nothing). Checked in this order: the rollout is
     * finished (already-finished), the next step needs no approval (approval-not-required), the plan wants
     * another operator than the starter (approval-not-allowed, 403).
     */
    public static Optional<RolloutRefused> checkApprove(RolloutState state, int stepIndex, StepSchedule schedule,
            String approvalBy, String startedBy, String actor) {
        if (!state.isActive()) {
            return refused(Refusal.ALREADY_FINISHED, "the rollout is " + state
                    + "; only an active (PROGRESSING or PAUSED) rollout can be approved", state);
        }
        int next = stepIndex + 1;
        if (!schedule.needsApproval(next)) {
            String what = next > schedule.lastIndex() ? "the rollout is at its last step; there is no next step"
                    : "the next step (" + schedule.percentageAt(next) + " %) needs no approval";
            return Optional.of(new RolloutRefused(Refusal.APPROVAL_NOT_REQUIRED, what + "; nothing was changed",
                    Map.of("stepIndex", stepIndex, "state", state.name())));
        }
        if (Plan.ANOTHER_OPERATOR.equals(approvalBy) && actor.equals(startedBy)) {
            return Optional.of(new RolloutRefused(Refusal.APPROVAL_NOT_ALLOWED, "the plan wants the approval of "
                    + "another operator than " + startedBy + ", who started the rollout",
                    Map.of("approvalBy", approvalBy, "startedBy", startedBy)));
        }
        return Optional.empty();
    }

    /**
     * How much of the current dwell window went unobserved at {@code now}: the holds already ended
     * ({@code heldBefore}) plus the one still open since {@code holdStartedAt} (null: none). Never negative.
     */
    public static Duration held(Duration heldBefore, Instant holdStartedAt, Instant now) {
        if (holdStartedAt == null || !now.isAfter(holdStartedAt)) {
            return heldBefore;
        }
        return heldBefore.plus(Duration.between(holdStartedAt, now));
    }

    /** Operator commands other than advance. */
    public enum Command {
        PAUSE, RESUME, ROLLBACK, ABORT
    }

    /** Why the state machine refuses a command in this state; empty when it is allowed. */
    public static Optional<RolloutRefused> check(Command command, RolloutState state) {
        return switch (command) {
            case PAUSE -> state == RolloutState.PROGRESSING ? Optional.empty()
                    : refused(Refusal.NOT_PROGRESSING, "only a PROGRESSING rollout can be paused; it is " + state, state);
            case RESUME -> state == RolloutState.PAUSED ? Optional.empty()
                    : refused(Refusal.NOT_PAUSED, "only a PAUSED rollout can be resumed; it is " + state, state);
            case ROLLBACK, ABORT -> state.isActive() ? Optional.empty()
                    : refused(Refusal.ALREADY_FINISHED, "the rollout is " + state + " and cannot be "
                            + (command == Command.ROLLBACK ? "rolled back" : "aborted"), state);
        };
    }

    private static Optional<RolloutRefused> refused(Refusal refusal, String detail, RolloutState state) {
        return Optional.of(new RolloutRefused(refusal, detail, Map.of("state", state.name())));
    }
}
