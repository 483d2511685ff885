package dev.rollout.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.rollout.freeze.FreezeRules;
import dev.rollout.plan.AdvanceWindows;
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

    /** A freeze covers the target: no move until {@code until} (the end of the chain of freezes over it). */
    public record Frozen(Instant until, List<String> freezes, Duration remaining) implements AdvanceDecision {
    }

    /**
     * The next step may be entered only inside one of the plan's advance windows, and none is open;
     * {@code opensAt} is the next opening (null when none opens within two weeks).
     */
    public record OutsideWindow(Instant opensAt, Duration remaining) implements AdvanceDecision {
    }

    /** What holds a move besides the state and the dwell: a freeze over the target, the plan's advance windows. */
    public record Holds(Optional<FreezeRules.Cover> freeze, AdvanceWindows windows) {
        public static final Holds NONE = new Holds(Optional.empty(), AdvanceWindows.ALWAYS);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now) {
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, Holds.NONE, null, false);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, boolean override) {
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, Holds.NONE, null, override);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, boolean override, Integer approvedStep) {
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, Holds.NONE, approvedStep,
                override);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now, boolean override) {
        return advance(state, stepIndex, dwellStartedAt, held, schedule, now, Holds.NONE, null, override);
    }

    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, Holds holds, boolean override) {
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, holds, null, override);
    }

    /**
     * What an advance leads to: the first of {@link #refusals} (which refusal wins), or the move. {@code held}
     * is the part of the dwell window that went unobserved (gates in ERROR under HOLD, see {@link #held}): the
     * dwell ends that much later. {@code approvedStep} is the step the rollout holds an approval for (null:
     * none). With {@code override} (an admin's audited override) every refusal but not-progressing is set
     * aside. The next step's dwell still starts at {@code now}, in full.
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now, Holds holds, Integer approvedStep, boolean override) {
        List<AdvanceDecision> refusals = refusals(state, stepIndex, dwellStartedAt, held, schedule, now, holds,
                approvedStep);
        if (!refusals.isEmpty() && (!override || refusals.get(0) instanceof NotProgressing)) {
            return refusals.get(0);
        }
        return move(stepIndex, schedule, now);
    }

    public static List<AdvanceDecision> refusals(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, Holds holds) {
        return refusals(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, holds, null);
    }

    /**
     * Every rule that refuses a move now, in the contract's order of which refusal wins (cheapest and most
     * final first): not-progressing, frozen, outside-window, too-early, approval-required. The last one,
     * gates-failing, is checked after these, outside this class (gates are asked last, as they cost
     * monitoring requests). One line per rule, in order: a new rule is one line in its place.
     */
    public static List<AdvanceDecision> refusals(RolloutState state, int stepIndex, Instant dwellStartedAt,
            Duration held, StepSchedule schedule, Instant now, Holds holds, Integer approvedStep) {
        if (state != RolloutState.PROGRESSING) {
            return List.of(new NotProgressing(state));
        }
        List<AdvanceDecision> refusals = new ArrayList<>(4);
        frozen(holds, now).ifPresent(refusals::add);
        outsideWindow(stepIndex, schedule, holds, now).ifPresent(refusals::add);
        tooEarly(stepIndex, dwellStartedAt, held, schedule, now).ifPresent(refusals::add);
        approvalRequired(stepIndex, schedule, approvedStep).ifPresent(refusals::add);
        return refusals;
    }

    /** A freeze holds every move, the completion of a final step included. */
    static Optional<AdvanceDecision> frozen(Holds holds, Instant now) {
        return holds.freeze().filter(cover -> cover.until().isAfter(now))
                .map(cover -> new Frozen(cover.until(), cover.freezes(), Duration.between(now, cover.until())));
    }

    /**
     * Windows hold entering a step; completing the last one (its dwell and bake over) changes no traffic and
     * is not held. Outside every window, the wait is until the next opening.
     */
    static Optional<AdvanceDecision> outsideWindow(int stepIndex, StepSchedule schedule, Holds holds, Instant now) {
        if (stepIndex >= schedule.lastIndex() || holds.windows().isOpen(now)) {
            return Optional.empty();
        }
        Optional<Instant> opens = holds.windows().nextOpening(now);
        return Optional.of(new OutsideWindow(opens.orElse(null),
                opens.map(at -> Duration.between(now, at)).orElse(NO_OPENING_RETRY)));
    }

    /** What Retry-After says when no window opens within the search: ask again in an hour. */
    static final Duration NO_OPENING_RETRY = Duration.ofHours(1);

    static Optional<AdvanceDecision> tooEarly(int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now) {
        Instant earliest = schedule.earliestAdvanceAt(stepIndex, dwellStartedAt, held);
        return now.isBefore(earliest) ? Optional.of(new TooEarly(earliest, Duration.between(now, earliest)))
                : Optional.empty();
    }

    /** The next step needs an approval the rollout does not hold (none is needed to complete the last). */
    static Optional<AdvanceDecision> approvalRequired(int stepIndex, StepSchedule schedule, Integer approvedStep) {
        if (stepIndex >= schedule.lastIndex() || !awaitsApproval(schedule, stepIndex, approvedStep)) {
            return Optional.empty();
        }
        int next = stepIndex + 1;
        return Optional.of(new ApprovalRequired(next, schedule.percentageAt(next)));
    }

    private static AdvanceDecision move(int stepIndex, StepSchedule schedule, Instant now) {
        if (stepIndex >= schedule.lastIndex()) {
            return new Complete();
        }
        int next = stepIndex + 1;
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
