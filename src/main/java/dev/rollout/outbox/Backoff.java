package dev.rollout.outbox;

import java.time.Duration;

/** Capped exponential backoff: initial, 2x, 4x, ... never more than max; and when retries end. */
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

    /**
     * Whether a row that has had {@code attempts} attempts must be given up rather than tried again:
     * {@code maxAttempts} 0 means never.
     */
    public static boolean exhausted(int attempts, int maxAttempts) {
        return maxAttempts > 0 && attempts >= maxAttempts;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
