package dev.rollout.gate;

import java.time.Duration;

final class Durations {

    private Durations() {
    }

    /** {@code 2s}, {@code 1.5s}, {@code 200ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return (ms / 1000.0) + "s";
    }
}
