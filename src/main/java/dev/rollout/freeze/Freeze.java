package dev.rollout.freeze;

import java.time.Instant;
import java.util.List;

import dev.rollout.security.TargetScope;

/**
 * A stored freeze: from {@code from} (inclusive) to {@code until} (exclusive), no rollout starts on a target it
 * covers and none advances. {@code targets} are patterns ('*' any run of characters); null covers every target.
 */
public record Freeze(String name, Instant from, Instant until, List<String> targets, String reason,
        Instant createdAt, String createdBy) {

    public boolean covers(String target) {
        return TargetScope.of(targets).allows(target);
    }

    /** In force at {@code now}. */
    public boolean inForceAt(Instant now) {
        return !now.isBefore(from) && now.isBefore(until);
    }
}
