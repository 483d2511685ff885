package dev.rollout.outbox;

import java.time.Duration;

/** Capped exponential backoff: initial, 2x, 4x, ... never more than max. */
public final class Backoff {

    private Backoff() {}

    /** The wait after the {@code failedAttempts}-th consecutive failure (1 for the first). */
    public static Duration after(int failedAttempts, Duration initial, Duration max) {
        if (failedAttempts <= 1) {
            return min(initial, max);
        }
        int doublings = Math.min(failedAttempts - 1, 40);
        long millis = initial.toMillis();
        for (int i = 0; i < doublings && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return min(Duration.ofMillis(millis), max);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
