package dev.rollout.history;

import java.time.Instant;

/**
 * Fired by {@link History#append} inside its transaction for a refused advance that repeats its run's last
 * one and so was only counted, not appended as a row of its own (see {@link RefusalRuns}). Observers that
 * count refused calls (metrics) count these too; nothing is delivered for them.
 */
public record RefusalCoalesced(HistoryEvent event, Instant at) {
}
