package dev.rollout.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.rollout.freeze.FreezeRules;
import dev.rollout.plan.AdvanceWindows;
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
        return advance(state, stepIndex, dwellStartedAt, schedule, now, false);
    }

    /**
     * As above; with {@code overrideDwell} (an admin's audited override) a dwell that is not over yet
     * does not stop the move. The next step's dwell still starts at {@code now}, in full.
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, boolean overrideDwell) {
        return advance(state, stepIndex, dwellStartedAt, schedule, now, Holds.NONE, overrideDwell);
    }

    /**
     * What an advance leads to: the first of {@link #refusals} (which refusal wins), or the move. With
     * {@code override} (an admin's audited override) every refusal but not-progressing is set aside.
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, Holds holds, boolean override) {
        List<AdvanceDecision> refusals = refusals(state, stepIndex, dwellStartedAt, schedule, now, holds);
        if (!refusals.isEmpty() && (!override || refusals.get(0) instanceof NotProgressing)) {
            return refusals.get(0);
        }
        return move(stepIndex, schedule, now);
    }

    /**
     * Every rule that refuses a move now, in the contract's order of which refusal wins (cheapest and most
     * final first): not-progressing, frozen, outside-window, too-early. The two that follow,
     * approval-required and gates-failing, are checked after these, outside this class (gates are asked
     * last, as they cost monitoring requests). One line per rule, in order: a new rule is one line in its place.
     */
    public static List<AdvanceDecision> refusals(RolloutState state, int stepIndex, Instant dwellStartedAt,
            StepSchedule schedule, Instant now, Holds holds) {
        if (state != RolloutState.PROGRESSING) {
            return List.of(new NotProgressing(state));
        }
        List<AdvanceDecision> refusals = new ArrayList<>(3);
        frozen(holds, now).ifPresent(refusals::add);
        outsideWindow(stepIndex, schedule, holds, now).ifPresent(refusals::add);
        tooEarly(stepIndex, dwellStartedAt, schedule, now).ifPresent(refusals::add);
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

    static Optional<AdvanceDecision> tooEarly(int stepIndex, Instant dwellStartedAt, StepSchedule schedule,
            Instant now) {
        Instant earliest = schedule.earliestAdvanceAt(stepIndex, dwellStartedAt);
        return now.isBefore(earliest) ? Optional.of(new TooEarly(earliest, Duration.between(now, earliest)))
                : Optional.empty();
    }

    private static AdvanceDecision move(int stepIndex, StepSchedule schedule, Instant now) {
        if (stepIndex >= schedule.lastIndex()) {
            return new Complete();
        }
        int next = stepIndex + 1;
        boolean completes = next == schedule.lastIndex() && schedule.dwellAt(next).isZero();
        return new Enter(next, schedule.percentageAt(next), schedule.earliestAdvanceAt(next, now), completes);
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
