package dev.rollout.gate;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Prometheus' syntax ({@code 30s}, {@code 5m}, {@code 1h30m}, {@code 7d}): units y, w, d, h, m, s
 * and ms, each at most once, from the largest to the smallest, as Prometheus' own parser reads them.
 */
final class PromDuration {

    private static final Pattern SYNTAX = Pattern.compile(
            "(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?");
    private static final long[] UNIT_MILLIS = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000,
            1_000, 1};

    private PromDuration() {
    }

    /** The duration, or empty when {@code text} is not Prometheus duration syntax or does not fit a long. */
    static Optional<Duration> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > GateLimits.MAX_WINDOW_LENGTH) {
            return Optional.empty();
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        long millis = 0;
        try {
            for (int i = 0; i < UNIT_MILLIS.length; i++) {
                String digits = m.group(i + 1);
                if (digits != null) {
                    millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(digits), UNIT_MILLIS[i]));
                }
            }
        } catch (ArithmeticException | NumberFormatException tooLong) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(millis));
    }
}
