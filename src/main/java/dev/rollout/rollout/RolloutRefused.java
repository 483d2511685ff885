package dev.rollout.rollout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A request the rollout's state or rules do not allow. Nothing was changed (a refused advance is only
 * recorded in the history). {@code facts} are the refusal's own fields for the caller
 * (earliestAdvanceAt, gates, state, ...); {@code retryAfter} says when asking again can succeed.
 * The problem mapper turns it into a 409 problem.
 */
public final class RolloutRefused extends RuntimeException {

    private final Refusal refusal;
    private final Map<String, Object> facts;
    private final Duration retryAfter;
    private UUID rolloutId;

    public RolloutRefused(Refusal refusal, String detail, Map<String, Object> facts, Duration retryAfter) {
        super(detail, null, false, false);
        this.refusal = refusal;
        this.facts = new LinkedHashMap<>(facts);
        this.retryAfter = retryAfter;
    }

    public RolloutRefused(Refusal refusal, String detail, Map<String, Object> facts) {
        this(refusal, detail, facts, null);
    }

    public Refusal refusal() {
        return refusal;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> facts() {
        return facts;
    }

    /** Names the rollout in the answer (advance refusals do, so a script that drives many can tell). */
    public RolloutRefused about(UUID rolloutId) {
        this.rolloutId = rolloutId;
        return this;
    }

    public Optional<UUID> rolloutId() {
        return Optional.ofNullable(rolloutId);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Whole seconds to wait, rounded up and at least one: what a Retry-After header says. */
    public static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
