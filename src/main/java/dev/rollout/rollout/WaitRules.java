package dev.rollout.rollout;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;

import dev.rollout.problem.ApiProblem;

/**
 * The rules of {@code advance?wait=}: what a caller may ask for, which refusals a request waits out, and when
 * a held request is tried again without being woken. No I/O.
 */
public final class WaitRules {

    /** The longest wait a caller may ask for. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(15);

    /**
     * Refusals that time or monitoring can lift: a request is held on these and answered at once on any other.
     * {@code approval-required} is named by its type so that it is waited on wherever approvals exist.
     */
    static final Set<String> WAITABLE = Set.of(Refusal.TOO_EARLY.type(), Refusal.GATES_FAILING.type(),
            "approval-required");

    private WaitRules() {
    }

    /**
     * The wait a caller asked for: empty without a {@code wait} parameter; an ISO-8601 duration from
     * {@code PT0S} to {@link #MAX_WAIT}; anything else is a 400 that changes nothing.
     */
    public static Optional<Duration> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Duration wait;
        try {
            wait = Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw invalid("'" + shortened(value) + "' is not an ISO-8601 duration such as PT10M");
        }
        if (wait.isNegative()) {
            throw invalid("'" + shortened(value) + "' is negative");
        }
        if (wait.compareTo(MAX_WAIT) > 0) {
            throw invalid("'" + shortened(value) + "' is longer than the longest wait, " + MAX_WAIT);
        }
        return Optional.of(wait);
    }

    /** Whether a request asked to wait is held on {@code refusal} rather than answered. */
    public static boolean waitable(RolloutRefused refusal) {
        return WAITABLE.contains(refusal.refusal().type());
    }

    /**
     * When a held request refused with {@code refusal} is tried again if nothing wakes it first: when the
     * dwell ends for {@code too-early}; at the next evaluation for the others (gates are checked again on
     * each try; an approval or a new event wakes it anyway).
     */
    public static Duration nextTry(RolloutRefused refusal, Duration evaluationInterval) {
        if (refusal.refusal() == Refusal.TOO_EARLY) {
            return refusal.retryAfter().orElse(evaluationInterval);
        }
        return evaluationInterval;
    }

    private static ApiProblem invalid(String problem) {
        String line = "wait: " + problem;
        return ApiProblem.badRequest("invalid-request", line + "; nothing was changed")
                .with("errors", java.util.List.of(line));
    }

    private static String shortened(String value) {
        return dev.rollout.problem.Problems.shortened(value);
    }
}
