package dev.rollout.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The time rule's view of a plan: which percentage each step reaches and how long a rollout must
 * stay there. Step -1 is the 0 % start, which has no dwell. The last step's dwell includes the
 * final bake: the rollout completes only after both. {@code approvals} says which steps need an operator's
 * approval before they are entered.
 */
public record StepSchedule(List<Double> percentages, List<Duration> dwells, Duration finalBake, List<Boolean> approvals) {

    /** A schedule where no step needs an approval. */
    public StepSchedule(List<Double> percentages, List<Duration> dwells, Duration finalBake) {
        this(percentages, dwells, finalBake, percentages.stream().map(p -> Boolean.FALSE).toList());
    }

    /** Whether entering step {@code stepIndex} needs an approval; false for -1 and past the last step. */
    public boolean needsApproval(int stepIndex) {
        return stepIndex >= 0 && stepIndex < approvals.size() && approvals.get(stepIndex);
    }

    public int lastIndex() {
        return percentages.size() - 1;
    }

    public double percentageAt(int stepIndex) {
        return stepIndex < 0 ? 0.0 : percentages.get(stepIndex);
    }

    /** How long a rollout must stay at this step, with a clean window, before it may leave it. */
    public Duration dwellAt(int stepIndex) {
        if (stepIndex < 0) {
            return Duration.ZERO;
        }
        Duration dwell = dwells.get(stepIndex);
        return stepIndex == lastIndex() ? dwell.plus(finalBake) : dwell;
    }

    public Instant earliestAdvanceAt(int stepIndex, Instant dwellStartedAt) {
        return dwellStartedAt.plus(dwellAt(stepIndex));
    }

    /**
     * As above, for a dwell window of which {@code held} was not observed (gates in ERROR under HOLD): a dwell
     * counts only observed time, so it ends that much later.
     */
    public Instant earliestAdvanceAt(int stepIndex, Instant dwellStartedAt, Duration held) {
        return earliestAdvanceAt(stepIndex, dwellStartedAt).plus(held);
    }
}
