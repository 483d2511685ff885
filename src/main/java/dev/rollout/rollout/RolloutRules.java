package dev.rollout.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

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
        return advance(state, stepIndex, dwellStartedAt, Duration.ZERO, schedule, now, overrideDwell);
    }

    /**
     * As above, for a dwell window of which {@code held} went unobserved (gates in ERROR under HOLD, see
     * {@link #held}): the dwell ends that much later.
     */
    public static AdvanceDecision advance(RolloutState state, int stepIndex, Instant dwellStartedAt, Duration held,
            StepSchedule schedule, Instant now, boolean overrideDwell) {
        if (state != RolloutState.PROGRESSING) {
            return new NotProgressing(state);
        }
        Instant earliest = schedule.earliestAdvanceAt(stepIndex, dwellStartedAt, held);
        if (!overrideDwell && now.isBefore(earliest)) {
            return new TooEarly(earliest, Duration.between(now, earliest));
        }
        if (stepIndex >= schedule.lastIndex()) {
            return new Complete();
        }
        int next = stepIndex + 1;
        boolean completes = next == schedule.lastIndex() && schedule.dwellAt(next).isZero();
        return new Enter(next, schedule.percentageAt(next), schedule.earliestAdvanceAt(next, now), completes);
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
