package dev.rollout.history;

import java.time.Instant;

import dev.rollout.rollout.Rollout;

/**
 * Fired by {@link History#append} inside its transaction for a refused advance that repeats its run's last
 * one and so was only counted, not appended as a row of its own (see {@link RefusalRuns}). Observers that
 * count refused calls (metrics) count these too; nothing is delivered for them. {@code rollout} is the
 * refused rollout when the appender has it at hand, else null.
 */
public record RefusalCoalesced(HistoryEvent event, Instant at, Rollout rollout) {

    public RefusalCoalesced(HistoryEvent event, Instant at) {
        this(event, at, null);
    }
}
